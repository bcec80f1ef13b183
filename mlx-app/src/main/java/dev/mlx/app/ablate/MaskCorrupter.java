package dev.mlx.app.ablate;

import dev.mlx.api.error.MlxException;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Replaces one corner-swatch training mask by a corrupted one (reference specification §12.2).
 * The mask has shape {@code [C, N, N]}. The swatch's corner is read off channel 0: the first of
 * (0, 0), (0, N−1), (N−1, 0), (N−1, N−1) with a non-zero value; its side {@code S} is the length
 * of the non-zero run from that corner along its row (4 for Decoy-MNIST, N/4 for Decoy-DERM).
 * The corrupted mask is a binary block on every channel:
 * <ul>
 *   <li>misposition: {@code S x S} at a random (row, col) = the block's top-left pixel;
 *   <li>shift: {@code S x S}, moved inward from the corner by {@code (dr, dc)}: e.g. top-right is
 *       rows {@code [dr, dr+S)}, columns {@code [N−(S+dc), N−dc)};
 *   <li>dilation: {@code (S+d) x (S+d)} at the corner;
 *   <li>shrink: {@code (S−s) x (S−s)} at the corner.
 * </ul>
 * Random draws, in order: misposition row then column; shift dr then dc; one d or s.
 */
final class MaskCorrupter {
    private final Corruption corruption;
    private final CorruptionRules rules;
    private final int channels;
    private final int side;

    MaskCorrupter(Corruption corruption, CorruptionRules rules, int[] exampleShape) {
        if (exampleShape.length != 3 || exampleShape[1] != exampleShape[2]) {
            throw MlxException.userError("the corruption ablation needs square image masks [C, N, N], not "
                    + Arrays.toString(exampleShape) + "; use a corner-swatch dataset (decoy-mnist, decoy-derm)");
        }
        this.corruption = corruption;
        this.rules = rules;
        this.channels = exampleShape[0];
        this.side = exampleShape[1];
    }

    /**
     * Overwrites {@code masks[offset .. offset + C·N·N)} (a copy the caller owns) with the corrupted mask.
     *
     * @param masks the masks being built
     * @param offset the example's first value
     * @param example the example index, for messages
     * @param rng the random stream
     */
    void corrupt(float[] masks, int offset, int example, SplittableRandom rng) {
        int n = side;
        boolean top;
        boolean left;
        if (masks[offset] > 0) {
            top = true;
            left = true;
        } else if (masks[offset + n - 1] > 0) {
            top = true;
            left = false;
        } else if (masks[offset + (n - 1) * n] > 0) {
            top = false;
            left = true;
        } else if (masks[offset + n * n - 1] > 0) {
            top = false;
            left = false;
        } else {
            throw MlxException.userError("training example " + example + " has no mask in any corner; the corruption "
                    + "ablation needs corner-swatch masks (decoy-mnist, decoy-fashion-mnist, decoy-derm)");
        }
        int row = top ? 0 : n - 1;
        int s = 0;
        for (int k = 0; k < n; k++) {
            int col = left ? k : n - 1 - k;
            if (masks[offset + row * n + col] > 0) {
                s++;
            } else {
                break;
            }
        }
        if (2 * s > n) {
            throw MlxException.userError("training example " + example + " has a " + s + "-pixel mask run from its "
                    + "corner in a " + n + "-pixel image; the corruption ablation needs a corner swatch of at most half "
                    + "the image side");
        }
        Arrays.fill(masks, offset, offset + channels * n * n, 0f);
        switch (corruption) {
            case MISPOSITION -> {
                int r = rules.draw(corruption, s, n, rng);
                int c = rules.draw(corruption, s, n, rng);
                block(masks, offset, r, c, s);
            }
            case SHIFT -> {
                int dr = rules.draw(corruption, s, n, rng);
                int dc = rules.draw(corruption, s, n, rng);
                block(masks, offset, top ? dr : n - s - dr, left ? dc : n - s - dc, s);
            }
            case DILATION -> {
                int b = s + rules.draw(corruption, s, n, rng);
                block(masks, offset, top ? 0 : n - b, left ? 0 : n - b, b);
            }
            case SHRINK -> {
                int b = s - rules.draw(corruption, s, n, rng);
                block(masks, offset, top ? 0 : n - b, left ? 0 : n - b, b);
            }
            default -> throw new IllegalStateException(corruption.toString());
        }
    }

    private void block(float[] masks, int offset, int top, int left, int b) {
        int n = side;
        for (int c = 0; c < channels; c++) {
            for (int r = Math.max(0, top); r < Math.min(n, top + b); r++) {
                int start = offset + (c * n + r) * n;
                Arrays.fill(masks, start + Math.max(0, left), start + Math.min(n, left + b), 1f);
            }
        }
    }
}
