package dev.mlx.vision.decoy;

import dev.mlx.api.data.DataSplit;
import dev.mlx.api.data.ExplanationDataset;
import dev.mlx.api.error.MlxException;
import dev.mlx.vision.mnist.MnistSplit;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Builds Half-Decoy-MNIST, the appendix variant of Decoy-MNIST (reference specification §9.1):
 * each {@code R x C} image (28x28 for MNIST) is half digit, half decoy block.
 *
 * <ul>
 *   <li><b>Digit half.</b> The MNIST digit resized to half height, {@code R/2 x C}, by 2x1 average
 *       pooling of rows: digit row {@code r} is {@code (raw[2r] + raw[2r+1]) / 2 / 255}, column by
 *       column (a box filter; the reference's exact resize is not published, so this one is
 *       chosen for being exact and simple).
 *   <li><b>Block half.</b> An {@code R/2 x C} block of one grey level on the top or the bottom
 *       half (each with probability ½), the digit taking the other half. The level is the
 *       Decoy-MNIST swatch {@code (255 − 25·d) / 255} ({@link DecoyMnist#patchLevel}): in
 *       training {@code d} = the true label, so the block colour leaks the class; in test
 *       {@code d} is a uniform random class.
 *   <li><b>Masks.</b> 1 on the block half (the irrelevant feature), 0 on the digit half, in both
 *       splits.
 *   <li>Groups are the labels (10 groups). One example has shape {@code [1, R, C]}.
 * </ul>
 *
 * <p>Random draws: one {@link SplittableRandom} seeded with the seed is split into a training
 * and a test stream; per image, in order, {@code nextBoolean()} for the block's half (true =
 * top) and, for the test split only, {@code nextInt(10)} for the block's class. The construction
 * is a pure function of its inputs; it mutates neither the input arrays nor any mask after it is
 * built.
 */
public final class HalfDecoyMnist {
    private HalfDecoyMnist() {}

    /**
     * Builds both splits, drawing the decoys once from {@code seed}.
     *
     * @param name the dataset name, e.g. {@code half-decoy-mnist}
     * @param train raw training examples
     * @param test raw test examples
     * @param seed the seed of all random draws
     * @param checksum the source data checksum, for provenance
     * @return the dataset
     * @throws MlxException (user error) if the images have an odd number of rows or labels outside 0..9
     */
    public static ExplanationDataset build(String name, MnistSplit train, MnistSplit test, long seed, String checksum) {
        SplittableRandom root = new SplittableRandom(seed);
        SplittableRandom trainRng = root.split();
        SplittableRandom testRng = root.split();
        return new ExplanationDataset(name, split(name + "/train", train, trainRng, false),
                split(name + "/test", test, testRng, true), checksum);
    }

    /**
     * The digit half of example {@code i}: its rows pooled in pairs.
     *
     * @return {@code rows/2 * cols} values in {@code [0, 1]}, row-major
     */
    public static float[] halfHeightDigit(MnistSplit raw, int i) {
        int half = raw.rows() / 2;
        int cols = raw.cols();
        float[] out = new float[half * cols];
        for (int r = 0; r < half; r++) {
            for (int c = 0; c < cols; c++) {
                out[r * cols + c] = (raw.pixel(i, 2 * r, c) + raw.pixel(i, 2 * r + 1, c)) / 510f;
            }
        }
        return out;
    }

    private static DataSplit split(String name, MnistSplit raw, SplittableRandom rng, boolean test) {
        int rows = raw.rows();
        int cols = raw.cols();
        if (rows < 2 || rows % 2 != 0) {
            throw MlxException.userError(name + ": images are " + rows + "x" + cols + " but Half-Decoy-MNIST halves "
                    + "the height, which needs an even number of rows (MNIST is 28x28)");
        }
        int half = rows / 2;
        int features = rows * cols;
        int halfFeatures = half * cols;
        int n = raw.count();
        if ((long) n * features > Integer.MAX_VALUE - 8) {
            throw MlxException.userError(name + ": " + n + " images are too many for one split; use a limit");
        }
        float[] inputs = new float[n * features];
        float[] masks = new float[n * features];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = raw.label(i);
            if (labels[i] >= DecoyMnist.NUM_CLASSES) {
                throw MlxException.userError(name + ": example " + i + " has label " + labels[i]
                        + "; the decoy recipe needs labels 0..9");
            }
            boolean blockOnTop = rng.nextBoolean();
            int colour = test ? rng.nextInt(DecoyMnist.NUM_CLASSES) : labels[i];
            int offset = i * features;
            int blockStart = offset + (blockOnTop ? 0 : halfFeatures);
            int digitStart = offset + (blockOnTop ? halfFeatures : 0);
            System.arraycopy(halfHeightDigit(raw, i), 0, inputs, digitStart, halfFeatures);
            Arrays.fill(inputs, blockStart, blockStart + halfFeatures, DecoyMnist.patchLevel(colour));
            Arrays.fill(masks, blockStart, blockStart + halfFeatures, 1f);
        }
        return new DataSplit(name, new int[] {1, rows, cols}, inputs, masks, labels, labels.clone(),
                DecoyMnist.NUM_CLASSES, DecoyMnist.NUM_CLASSES);
    }
}
