package dev.mlx.vision.derm;

import dev.mlx.api.data.DataSplit;
import dev.mlx.api.error.MlxException;
import dev.mlx.vision.io.NpyArray;
import java.util.SplittableRandom;

/**
 * Builds Decoy-DERM (R4 paper; reference specification §9.2) from MedMNIST DermaMNIST images:
 * a binary task (original class 5, melanocytic nevus, the benign majority, is label 0; the six
 * other classes are label 1) with a colour swatch in one corner that leaks the label in training.
 *
 * <ul>
 *   <li><b>Images.</b> {@code [N, S, S, 3]} uint8 become {@code [3, S, S]} floats {@code /255}.
 *   <li><b>Swatch.</b> A {@code S/4 x S/4} square (16x16 at size 64) on all three channels in one
 *       corner chosen uniformly (0 top-left, 1 top-right, 2 bottom-left, 3 bottom-right). Its
 *       colour (R, G, B) is {@code (0.5, 0.5, 0.7)} for label 0 and {@code (0.5, 0.7, 0.5)} for
 *       label 1: the true label in training, a uniformly random label in test.
 *   <li><b>Masks.</b> Training: 1 on the swatch (3 channels). Test: 1 on all four corner squares.
 *   <li><b>Groups.</b> The labels (2 groups).
 * </ul>
 *
 * <p>Random draws: one {@link SplittableRandom} seeded with the seed is split into a training
 * and a test stream; per image, in order, {@code nextInt(4)} for the corner and, for the test
 * split only, {@code nextInt(2)} for the colour's label. The construction is pure: the input
 * arrays are not changed, and masks are never toggled or mutated after they are built (the
 * reference's {@code reverse} toggling, §9.2 "Quirk", is not copied).
 */
public final class DecoyDerm {
    /** The DermaMNIST class that becomes label 0 (melanocytic nevus). */
    public static final int NEVUS = 5;
    /** DermaMNIST's number of original classes. */
    public static final int ORIGINAL_CLASSES = 7;
    /** Swatch colour (R, G, B) for label 0. */
    static final float[] COLOUR_0 = {0.5f, 0.5f, 0.7f};
    /** Swatch colour (R, G, B) for label 1. */
    static final float[] COLOUR_1 = {0.5f, 0.7f, 0.5f};

    private DecoyDerm() {}

    /**
     * @param name the split's name, e.g. {@code decoy-derm/train}
     * @param images the {@code [N, S, S, 3]} images (one or more arrays, concatenated in order)
     * @param labels the {@code [N]} or {@code [N, 1]} original DermaMNIST labels, matching {@code images}
     * @param limit keep only the first {@code limit} examples (0 = all)
     * @param rng this split's random stream
     * @param test whether this is the test split (random swatch colour, four-corner masks)
     * @return the split
     */
    public static DataSplit build(String name, NpyArray[] images, NpyArray[] labels, int limit, SplittableRandom rng,
            boolean test) {
        int size = images[0].shape()[1];
        int total = 0;
        for (int a = 0; a < images.length; a++) {
            images[a].requireShape(new int[] {-1, size, size, 3}, "RGB images [N, " + size + ", " + size + ", 3]");
            int n = images[a].shape()[0];
            if (labels[a].size() != n) {
                throw MlxException.userError(labels[a].name() + " holds " + labels[a].size() + " labels but "
                        + images[a].name() + " holds " + n + " images; use the file MedMNIST wrote, unchanged");
            }
            total += n;
        }
        if (size < 8) {
            throw MlxException.userError(images[0].name() + ": images are " + size + "x" + size
                    + "; Decoy-DERM needs at least 8x8 (use the 64x64 dermamnist_64.npz)");
        }
        int n = limit > 0 ? Math.min(limit, total) : total;
        int plane = size * size;
        int features = 3 * plane;
        if ((long) n * features > Integer.MAX_VALUE - 8) {
            throw MlxException.userError(name + ": " + n + " images of " + size + "x" + size
                    + " are too many for one split; set train-limit/test-limit");
        }
        int swatch = size / 4;
        float[] inputs = new float[n * features];
        float[] masks = new float[n * features];
        int[] out = new int[n];
        int i = 0;
        for (int a = 0; a < images.length && i < n; a++) {
            NpyArray img = images[a];
            for (int j = 0; j < img.shape()[0] && i < n; j++, i++) {
                double original = labels[a].get(j);
                if (original < 0 || original >= ORIGINAL_CLASSES || original != Math.rint(original)) {
                    throw MlxException.userError(labels[a].name() + ": example " + j + " has label " + original
                            + "; DermaMNIST labels are 0.." + (ORIGINAL_CLASSES - 1));
                }
                out[i] = (int) original == NEVUS ? 0 : 1;
                int base = i * features;
                int src = j * features;
                for (int p = 0; p < plane; p++) {
                    for (int c = 0; c < 3; c++) {
                        inputs[base + c * plane + p] = (float) (img.get(src + p * 3 + c) / 255.0);
                    }
                }
                int corner = rng.nextInt(4);
                int colourLabel = test ? rng.nextInt(2) : out[i];
                float[] colour = colourLabel == 0 ? COLOUR_0 : COLOUR_1;
                int top = corner < 2 ? 0 : size - swatch;
                int left = corner % 2 == 0 ? 0 : size - swatch;
                for (int c = 0; c < 3; c++) {
                    fill(inputs, base + c * plane, size, top, left, swatch, colour[c]);
                    if (test) {
                        for (int k = 0; k < 4; k++) {
                            fill(masks, base + c * plane, size, k < 2 ? 0 : size - swatch, k % 2 == 0 ? 0 : size - swatch,
                                    swatch, 1f);
                        }
                    } else {
                        fill(masks, base + c * plane, size, top, left, swatch, 1f);
                    }
                }
            }
        }
        return new DataSplit(name, new int[] {3, size, size}, inputs, masks, out, out.clone(), 2, 2);
    }

    private static void fill(float[] a, int offset, int size, int top, int left, int side, float value) {
        for (int r = top; r < top + side; r++) {
            int start = offset + r * size + left;
            java.util.Arrays.fill(a, start, start + side, value);
        }
    }
}
