package dev.mlx.engine.testkit;

import dev.mlx.api.data.DataSplit;
import java.util.SplittableRandom;

/**
 * Small generated decoy data for engine tests: {@code side x side} images of noise plus a class
 * pattern that is right 80 % of the time; in training a corner patch coloured by the label (a shortcut), masked; in test the
 * patch colour is random.
 */
public final class TinyData {
    private TinyData() {}

    /**
     * @param n examples
     * @param side image side
     * @param classes classes
     * @param test whether to draw the patch colour at random (test) or from the label (train)
     * @param seed seed
     * @return the split
     */
    public static DataSplit decoy(int n, int side, int classes, boolean test, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int f = side * side;
        float[] x = new float[n * f];
        float[] m = new float[n * f];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = r.nextInt(classes);
            for (int j = 0; j < f; j++) {
                x[i * f + j] = (float) (0.2 * r.nextDouble());
            }
            // the true signal: a bright row whose position depends on the class, right 80 % of the time
            int shown = r.nextDouble() < 0.8 ? y[i] : r.nextInt(classes);
            int row = 2 + shown * Math.max(1, (side - 4) / classes);
            for (int c = 2; c < side - 2; c++) {
                x[i * f + row * side + c] = 0.8f + (float) (0.2 * r.nextDouble());
            }
            int colour = test ? r.nextInt(classes) : y[i];
            for (int a = 0; a < 2; a++) {
                for (int b = 0; b < 2; b++) {
                    x[i * f + a * side + b] = 1f - colour / (float) classes;
                    m[i * f + a * side + b] = 1f;
                }
            }
        }
        return new DataSplit(test ? "tiny/test" : "tiny/train", new int[] {1, side, side}, x, m, y, y.clone(), classes,
                classes);
    }
}
