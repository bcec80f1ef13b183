package dev.mlx.vision.mnist;

import dev.mlx.api.data.fetch.Sha256;
import dev.mlx.api.error.MlxException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * A folder holding the four IDX files of an MNIST-format dataset (MNIST, Fashion-MNIST), named
 * as in {@link MnistFile}, each plain or gzip-compressed ({@code .gz}). Shared by
 * {@link MnistSource} and {@link FashionMnistSource}: locating the files, hashing them, and
 * reading and validating the two splits.
 */
final class IdxFolder {
    private IdxFolder() {}

    /**
     * @param dir a path the user typed
     * @return the path
     * @throws MlxException (user error) if {@code dir} is not a valid path
     */
    static Path parse(String dir) {
        try {
            return Path.of(dir);
        } catch (InvalidPathException e) {
            throw MlxException.userError("dataset parameter dir='" + dir + "' is not a valid path", e);
        }
    }

    /**
     * Finds each file in {@code folder}, preferring the plain name over {@code <name>.gz}.
     *
     * @return the files found; absent files are missing from the map
     */
    static Map<MnistFile, Path> find(Path folder) {
        Map<MnistFile, Path> files = new EnumMap<>(MnistFile.class);
        for (MnistFile f : MnistFile.values()) {
            Path plain = folder.resolve(f.fileName());
            Path gz = folder.resolve(f.fileName() + ".gz");
            if (Files.isRegularFile(plain)) {
                files.put(f, plain);
            } else if (Files.isRegularFile(gz)) {
                files.put(f, gz);
            }
        }
        return files;
    }

    /** @return the files of {@link MnistFile} that {@code found} lacks, by file name */
    static List<String> missing(Map<MnistFile, Path> found) {
        Set<MnistFile> absent = EnumSet.allOf(MnistFile.class);
        absent.removeAll(found.keySet());
        return absent.stream().map(MnistFile::fileName).toList();
    }

    /** @return every file's SHA-256 (of its bytes as stored, compressed or not) */
    static Map<MnistFile, String> hashes(Map<MnistFile, Path> files) {
        Map<MnistFile, String> hashes = new EnumMap<>(MnistFile.class);
        files.forEach((f, path) -> hashes.put(f, Sha256.ofUserFile(path)));
        return hashes;
    }

    /**
     * The provenance checksum: the SHA-256 of the lines {@code "<sha256>  <file name>\n"} of the
     * four files, sorted by the {@link MnistFile#fileName()} (without {@code .gz}).
     */
    static String checksum(Map<MnistFile, String> hashes) {
        Map<String, String> named = new TreeMap<>();
        hashes.forEach((f, h) -> named.put(f.fileName(), h));
        return Sha256.combined(named);
    }

    /**
     * Reads and validates both splits: labels {@code 0..9}, train and test images of one size.
     *
     * @param files the four files
     * @param checksum the provenance checksum to attach
     * @param dataset the dataset's name for messages, e.g. {@code MNIST}
     * @return the data
     * @throws MlxException (user error) if a file is malformed or the files disagree
     */
    static MnistData read(Map<MnistFile, Path> files, String checksum, String dataset) {
        MnistSplit train = readSplit(files.get(MnistFile.TRAIN_IMAGES), files.get(MnistFile.TRAIN_LABELS), dataset);
        MnistSplit test = readSplit(files.get(MnistFile.TEST_IMAGES), files.get(MnistFile.TEST_LABELS), dataset);
        if (train.rows() != test.rows() || train.cols() != test.cols()) {
            throw MlxException.userError(dataset + " training images are " + train.rows() + "x" + train.cols()
                    + " but test images " + test.rows() + "x" + test.cols() + "; use matching files");
        }
        return new MnistData(train, test, checksum);
    }

    /** @return the file names of {@code files}, joined with commas */
    static String names(Set<MnistFile> files) {
        return files.stream().map(MnistFile::fileName).collect(Collectors.joining(", "));
    }

    private static MnistSplit readSplit(Path images, Path labels, String dataset) {
        MnistSplit split = IdxReader.readSplit(images, labels);
        for (int i = 0; i < split.count(); i++) {
            if (split.label(i) > 9) {
                throw MlxException.userError(labels + ": label " + i + " is " + split.label(i)
                        + " but " + dataset + " labels are classes 0..9; use a labels file of " + dataset);
            }
        }
        return split;
    }
}
