package dev.mlx.app.testing;

import dev.mlx.api.data.DataSplit;
import java.util.Random;

/**
 * {@code tiny-decoy}: a small generated Decoy-MNIST look-alike for end-to-end tests. Images are
 * {@code 1x8x8}; class {@code c} of {@value #CLASSES} has a bright 2x2 block at a class-specific
 * place in the lower half (the real signal) plus noise. The top-left 2x2 corner is the decoy:
 * coloured by the label in training, by a random class in test. Masks are 1 on the decoy patch.
 * Groups are the labels. Fully determined by the seed.
 */
public final class TinyDecoyProvider extends GeneratedDatasetProvider {
    public static final String NAME = "tiny-decoy";
    public static final int CLASSES = 4;
    public static final int SIDE = 8;

    public TinyDecoyProvider() {
        super(NAME, "generated 8x8 decoy data for tests", "examples", 1, 400, 200);
    }

    @Override
    protected DataSplit split(String name, int n, Random random, boolean decoyFollowsLabel) {
        int f = SIDE * SIDE;
        float[] inputs = new float[n * f];
        float[] masks = new float[n * f];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            int label = i % CLASSES;
            labels[i] = label;
            int base = i * f;
            for (int j = 0; j < f; j++) {
                inputs[base + j] = (float) (0.1 * random.nextDouble());
            }
            int row = 4 + 2 * (label / 2);
            int col = 2 + 3 * (label % 2);
            for (int r = row; r < row + 2; r++) {
                for (int c = col; c < col + 2; c++) {
                    inputs[base + r * SIDE + c] = 0.9f;
                }
            }
            int colour = decoyFollowsLabel ? label : random.nextInt(CLASSES);
            for (int r = 0; r < 2; r++) {
                for (int c = 0; c < 2; c++) {
                    inputs[base + r * SIDE + c] = (colour + 1) / (float) CLASSES;
                    masks[base + r * SIDE + c] = 1f;
                }
            }
        }
        return new DataSplit(name, new int[] {1, SIDE, SIDE}, inputs, masks, labels, labels.clone(), CLASSES, CLASSES);
    }

}
