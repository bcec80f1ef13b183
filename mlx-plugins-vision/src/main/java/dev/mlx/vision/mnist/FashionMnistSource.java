package dev.mlx.vision.mnist;

import dev.mlx.api.error.MlxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds, verifies and reads Fashion-MNIST (Xiao, Rasul and Vollgraf, "Fashion-MNIST: a Novel
 * Image Dataset for Benchmarking Machine Learning Algorithms", 2017): 60,000 training and 10,000
 * test 28x28 grey images of 10 clothing classes, in the IDX format and with the file names of
 * MNIST ({@link MnistFile}).
 *
 * <p>Resolution order:
 * <ol>
 *   <li>a folder the user names (dataset parameter {@code dir}) holding the four files, each
 *       plain or gzip-compressed ({@code .gz}); these are not pinned, only validated by
 *       {@link IdxReader};
 *   <li>otherwise the files of Debian's package {@value #DEBIAN_PACKAGE} (version
 *       {@value #DEBIAN_VERSION}) in {@code /usr/share/datasets/fashion-mnist/}: the four
 *       {@code <name>.gz} files, each verified against its SHA-256 as shipped by that version
 *       ({@link #pinnedChecksums()}). A missing folder or file is a user error saying
 *       {@code apt-get install dataset-fashion-mnist}; a mismatching file is a user error saying
 *       to reinstall the package. Nothing is ever fetched: installing the package is the
 *       set-up's job.
 * </ol>
 *
 * <p>The {@linkplain MnistData#checksum() checksum} for provenance is the SHA-256 of the lines
 * {@code "<sha256>  <file name>\n"} of the four files as stored (compressed or not), sorted by
 * name, as for {@link MnistSource}.
 *
 * <p>Construction does no I/O.
 */
public final class FashionMnistSource {
    /** The Debian package shipping Fashion-MNIST. */
    public static final String DEBIAN_PACKAGE = "dataset-fashion-mnist";
    /** The package version whose files are pinned. */
    public static final String DEBIAN_VERSION = "0.0~git20200523.55506a9-1";
    /** Where {@value #DEBIAN_PACKAGE} installs the files. */
    public static final Path DEBIAN_FOLDER = Path.of("/usr/share/datasets/fashion-mnist");

    private static final Logger LOG = LoggerFactory.getLogger(FashionMnistSource.class);
    private static final Map<MnistFile, String> DEBIAN_PINS = pins(
            "b0564c3eedabfbf835052cff8503ea422014ce006caf5b757f851416ee8300c7",
            "0ae29f65d86684f32d1b9c85147786c547b9c6aebcaf235f0400a0cce308b056",
            "cc1d090a38ace84dfa1aa66e3ada7c336ef481a96936906477e6dd344da56eaa",
            "8d3605d196f4be44669e46906da9733c8131fef761fdbfec72c424d5222f1a05");

    private final Path folder;
    private final Map<MnistFile, String> filePins;

    /** A source reading the Debian package's folder, verified against {@link #pinnedChecksums()}. */
    public FashionMnistSource() {
        this(DEBIAN_FOLDER, DEBIAN_PINS);
    }

    /**
     * A source whose default folder and pins are others (tests; a distribution installing the
     * same files elsewhere).
     *
     * @param folder the folder holding the four {@code <name>.gz} files
     * @param filePins the SHA-256 of each {@code .gz} file
     */
    public FashionMnistSource(Path folder, Map<MnistFile, String> filePins) {
        this.folder = folder;
        this.filePins = Collections.unmodifiableMap(new EnumMap<>(filePins));
        if (this.filePins.size() != MnistFile.values().length) {
            throw new IllegalArgumentException("a pin is needed for every file, got " + filePins.keySet());
        }
    }

    /**
     * @return the SHA-256 (lower-case hex) of each {@code <name>.gz} file shipped by
     *     {@value #DEBIAN_PACKAGE} {@value #DEBIAN_VERSION}
     */
    public static Map<MnistFile, String> pinnedChecksums() {
        return DEBIAN_PINS;
    }

    /** @return the folder read when no {@code dir} is given */
    public Path folder() {
        return folder;
    }

    /**
     * Locates, verifies and reads Fashion-MNIST.
     *
     * @param dir a folder holding the user's own copy, or empty to use the Debian package's folder
     * @return the training and test splits
     * @throws MlxException (user error) if the files are missing, corrupt or malformed
     */
    public MnistData load(String dir) {
        Map<MnistFile, Path> files;
        Map<MnistFile, String> hashes;
        if (dir != null && !dir.isBlank()) {
            files = userFiles(dir.strip());
            hashes = IdxFolder.hashes(files);
        } else {
            files = packageFiles();
            hashes = verify(files);
        }
        String checksum = IdxFolder.checksum(hashes);
        LOG.debug("Reading Fashion-MNIST from {} (checksum {})", files.get(MnistFile.TRAIN_IMAGES).getParent(), checksum);
        return IdxFolder.read(files, checksum, "Fashion-MNIST");
    }

    private Map<MnistFile, Path> packageFiles() {
        if (!Files.isDirectory(folder)) {
            throw MlxException.userError("Fashion-MNIST is not installed: " + folder + " does not exist. "
                    + howToProvide());
        }
        Map<MnistFile, Path> files = new EnumMap<>(MnistFile.class);
        List<String> missing = new ArrayList<>();
        for (MnistFile f : MnistFile.values()) {
            Path gz = folder.resolve(f.fileName() + ".gz");
            if (Files.isRegularFile(gz)) {
                files.put(f, gz);
            } else {
                missing.add(f.fileName() + ".gz");
            }
        }
        if (!missing.isEmpty()) {
            throw MlxException.userError("Fashion-MNIST is incomplete: " + folder + " has no " + String.join(", ", missing)
                    + ". Reinstall it with `apt-get install --reinstall " + DEBIAN_PACKAGE + "`, or pass dataset "
                    + "parameter dir=<folder> naming a folder with your own copy of the four IDX files");
        }
        return files;
    }

    private Map<MnistFile, String> verify(Map<MnistFile, Path> files) {
        Map<MnistFile, String> hashes = IdxFolder.hashes(files);
        for (MnistFile f : MnistFile.values()) {
            String expected = filePins.get(f);
            if (!hashes.get(f).equals(expected)) {
                throw MlxException.userError(files.get(f) + " has sha256 " + hashes.get(f) + ", expected " + expected
                        + " (as shipped by " + DEBIAN_PACKAGE + " " + DEBIAN_VERSION + "): the file is corrupt or "
                        + "from another version. Reinstall it with `apt-get install --reinstall " + DEBIAN_PACKAGE
                        + "`, or pass dataset parameter dir=<folder> to use your own copy (not verified)");
            }
        }
        return hashes;
    }

    private Map<MnistFile, Path> userFiles(String dir) {
        Path mine = IdxFolder.parse(dir);
        if (!Files.isDirectory(mine)) {
            throw MlxException.userError("dataset parameter dir=" + dir + " is not a folder; name the folder holding "
                    + "the four Fashion-MNIST IDX files, or leave dir empty to use " + folder);
        }
        Map<MnistFile, Path> files = IdxFolder.find(mine);
        List<String> missing = IdxFolder.missing(files);
        if (!missing.isEmpty()) {
            throw MlxException.userError("dataset parameter dir=" + dir + ": the folder has no " + String.join(", ", missing)
                    + " (or .gz); put the four Fashion-MNIST IDX files there, or leave dir empty to use " + folder);
        }
        return files;
    }

    private static String howToProvide() {
        return "Install Debian's package with `apt-get install " + DEBIAN_PACKAGE + "` (version " + DEBIAN_VERSION
                + " is pinned), or pass dataset parameter dir=<folder> naming a folder with your own copy of the four "
                + "IDX files (" + IdxFolder.names(EnumSet.allOf(MnistFile.class)) + ", each optionally .gz)";
    }

    private static Map<MnistFile, String> pins(String trainImages, String trainLabels, String testImages, String testLabels) {
        Map<MnistFile, String> pins = new EnumMap<>(MnistFile.class);
        pins.put(MnistFile.TRAIN_IMAGES, trainImages);
        pins.put(MnistFile.TRAIN_LABELS, trainLabels);
        pins.put(MnistFile.TEST_IMAGES, testImages);
        pins.put(MnistFile.TEST_LABELS, testLabels);
        return Collections.unmodifiableMap(pins);
    }
}
