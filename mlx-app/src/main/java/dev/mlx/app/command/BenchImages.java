package dev.mlx.app.command;

import dev.mlx.api.data.DataSplit;
import java.util.SplittableRandom;

/**
 * Generated images for {@code mlx bench} on image models without a dataset: {@code n} images of
 * shape {@code channels x side x side} in two classes, reproducible from a seed, so every method
 * of one bench run trains on the same inputs and masks.
 *
 * <p>Pixel {@code (c, h, w)} of image {@code i} (label {@code y = i mod 2}) is
 * {@code x = 0.3·u + 0.5·[h < side/2 ⇔ y = 0] + y·[h < p ∧ w < p]} with {@code u ~ U[0, 1)}
 * drawn from the seeded stream and {@code p = max(1, side/4)}: class 0 brightens the top half,
 * class 1 the bottom half, and the top-left {@code p x p} patch is a decoy whose brightness
 * follows the label. The mask is 1 (irrelevant) exactly on the decoy patch, in every channel.
 * Group = 0 for every image (one group; the bench measures time, not accuracy).
 */
final class BenchImages {
    private BenchImages() {}

    /**
     * @param n number of images, {@code >= 1}
     * @param channels channels per image, {@code >= 1}
     * @param side height and width, {@code >= 1}
     * @param seed the seed of the noise
     * @return the images as a training split named {@code generated-images/train}
     */
    static DataSplit generate(int n, int channels, int side, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int f = Math.multiplyExact(channels, Math.multiplyExact(side, side));
        int patch = Math.max(1, side / 4);
        float[] inputs = new float[Math.multiplyExact(n, f)];
        float[] masks = new float[inputs.length];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % 2;
            for (int c = 0; c < channels; c++) {
                for (int h = 0; h < side; h++) {
                    for (int w = 0; w < side; w++) {
                        int at = i * f + (c * side + h) * side + w;
                        boolean signal = (h < side / 2) == (labels[i] == 0);
                        boolean decoy = h < patch && w < patch;
                        inputs[at] = (float) (0.3 * random.nextDouble() + (signal ? 0.5 : 0) + (decoy ? labels[i] : 0));
                        masks[at] = decoy ? 1 : 0;
                    }
                }
            }
        }
        return new DataSplit("generated-images/train", new int[] {channels, side, side}, inputs, masks, labels,
                new int[n], 2, 1);
    }
}
