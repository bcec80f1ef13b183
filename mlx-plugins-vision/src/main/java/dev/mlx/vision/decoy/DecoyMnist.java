package dev.mlx.vision.decoy;

import dev.mlx.api.error.MlxException;
import dev.mlx.api.data.DataSplit;
import dev.mlx.api.data.ExplanationDataset;
import dev.mlx.vision.mnist.MnistSplit;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Builds Decoy-MNIST (Ross, Hughes and Doshi-Velez, "Right for the Right Reasons", IJCAI 2017;
 * reference specification §9.1) from raw MNIST, and the same recipe on any other 10-class set of
 * grey IDX images such as Fashion-MNIST ({@code decoy-fashion-mnist}); the class index plays the
 * role of the digit.
 *
 * <p>Every image gets a {@value #PATCH}x{@value #PATCH} patch in a random corner: the patch's
 * rows are the first or the last four (each with probability ½), its columns likewise. Its grey
 * level is {@code (255 − 25·d) / 255}. Pixels are {@code raw / 255} and one example has shape
 * {@code [1, rows, cols]}.
 * <ul>
 *   <li><b>Train:</b> {@code d} = the true label, so the patch colour leaks the class. The mask is
 *       1 on the 16 patch pixels and 0 elsewhere.
 *   <li><b>Test:</b> {@code d} is a uniform random digit, applied to the patch only (digit
 *       strokes that happen to have the label colour are left alone, unlike the reference code's
 *       whole-image recolouring). The mask is the union of the four corners (64 pixels), the
 *       same for every image.
 *   <li>Groups are the labels (10 groups).
 * </ul>
 *
 * <p>Random draws: one {@link SplittableRandom} seeded with the seed is split into a training
 * and a test stream; per image, in order, {@code nextBoolean()} for the rows (true = top),
 * {@code nextBoolean()} for the columns (true = left) and, for the test split only,
 * {@code nextInt(10)} for the digit. The construction is a pure function of its inputs; it
 * mutates neither the input arrays nor any mask after it is built.
 */
public final class DecoyMnist {
    /** Side of the square decoy patch in pixels. */
    public static final int PATCH = 4;
    /** Number of classes (digits) and of groups. */
    public static final int NUM_CLASSES = 10;

    private DecoyMnist() {}

    /**
     * Builds both splits, drawing the decoys once from {@code seed}.
     *
     * @param name the dataset name, e.g. {@code decoy-mnist}
     * @param train raw training examples
     * @param test raw test examples
     * @param seed the seed of all random draws
     * @param checksum the source data checksum, for provenance
     * @return the dataset
     */
    public static ExplanationDataset build(String name, MnistSplit train, MnistSplit test, long seed, String checksum) {
        SplittableRandom root = new SplittableRandom(seed);
        SplittableRandom trainRng = root.split();
        SplittableRandom testRng = root.split();
        return new ExplanationDataset(name, decoyTrain(name + "/train", train, trainRng),
                decoyTest(name + "/test", test, testRng), checksum);
    }

    /** @return the training split: label-coloured patches, masks on the patch */
    public static DataSplit decoyTrain(String name, MnistSplit raw, SplittableRandom rng) {
        return decoy(name, raw, rng, false);
    }

    /** @return the test split: randomly coloured patches, masks on all four corners */
    public static DataSplit decoyTest(String name, MnistSplit raw, SplittableRandom rng) {
        return decoy(name, raw, rng, true);
    }

    /** @return the patch grey level for digit (class) {@code d}: {@code (255 − 25·d) / 255} */
    public static float patchLevel(int digit) {
        if (digit < 0 || digit >= NUM_CLASSES) {
            throw new IllegalArgumentException("digit " + digit + " outside 0..9");
        }
        return (255 - 25 * digit) / 255f;
    }

    /** @return a {@code rows x cols} mask with 1 on the four {@value #PATCH}x{@value #PATCH} corners */
    public static float[] cornerMask(int rows, int cols) {
        float[] mask = new float[rows * cols];
        for (int top : new int[] {0, rows - PATCH}) {
            for (int left : new int[] {0, cols - PATCH}) {
                fill(mask, 0, cols, top, left, 1f);
            }
        }
        return mask;
    }

    private static DataSplit decoy(String name, MnistSplit raw, SplittableRandom rng, boolean test) {
        int rows = raw.rows();
        int cols = raw.cols();
        if (rows < 2 * PATCH || cols < 2 * PATCH) {
            throw MlxException.userError(name + ": images are " + rows + "x" + cols + " but decoy corners need at least "
                    + 2 * PATCH + "x" + 2 * PATCH + " pixels");
        }
        int features = rows * cols;
        int n = raw.count();
        if ((long) n * features > Integer.MAX_VALUE - 8) {
            throw MlxException.userError(name + ": " + n + " images are too many for one split; use a limit");
        }
        byte[] pixels = raw.pixels();
        float[] inputs = new float[n * features];
        float[] masks = new float[n * features];
        float[] corners = cornerMask(rows, cols);
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            int offset = i * features;
            labels[i] = raw.label(i);
            if (labels[i] >= NUM_CLASSES) {
                throw MlxException.userError(name + ": example " + i + " has label " + labels[i]
                        + "; the decoy recipe needs labels 0..9");
            }
            for (int j = 0; j < features; j++) {
                inputs[offset + j] = (pixels[offset + j] & 0xFF) / 255f;
            }
            int top = rng.nextBoolean() ? 0 : rows - PATCH;
            int left = rng.nextBoolean() ? 0 : cols - PATCH;
            int digit = test ? rng.nextInt(NUM_CLASSES) : labels[i];
            fill(inputs, offset, cols, top, left, patchLevel(digit));
            if (test) {
                System.arraycopy(corners, 0, masks, offset, features);
            } else {
                fill(masks, offset, cols, top, left, 1f);
            }
        }
        return new DataSplit(name, new int[] {1, rows, cols}, inputs, masks, labels, labels.clone(),
                NUM_CLASSES, NUM_CLASSES);
    }

    private static void fill(float[] image, int offset, int cols, int top, int left, float value) {
        for (int r = top; r < top + PATCH; r++) {
            int start = offset + r * cols + left;
            Arrays.fill(image, start, start + PATCH, value);
        }
    }
}
