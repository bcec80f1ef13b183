package dev.mlx.app.ablate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mlx.api.data.DataSplit;
import dev.mlx.api.error.MlxException;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TrainingSetTransformTest {
    private static final int N = 16;
    private static final int S = 4;

    /** 20 examples [C, 16, 16], label i % 2, a 4x4 swatch mask in corner i % 4 on every channel. */
    private static DataSplit swatches(int channels) {
        int n = 20;
        int f = channels * N * N;
        float[] inputs = new float[n * f];
        float[] masks = new float[n * f];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % 2;
            inputs[i * f] = i;
            int top = (i % 4) < 2 ? 0 : N - S;
            int left = (i % 4) % 2 == 0 ? 0 : N - S;
            for (int c = 0; c < channels; c++) {
                for (int r = top; r < top + S; r++) {
                    for (int x = left; x < left + S; x++) {
                        masks[i * f + (c * N + r) * N + x] = 1f;
                    }
                }
            }
        }
        return new DataSplit("t", new int[] {channels, N, N}, inputs, masks, labels, labels.clone(), 2, 2);
    }

    private static float sum(DataSplit s, int i) {
        float t = 0;
        for (int k = 0; k < s.featureCount(); k++) {
            t += s.masks()[i * s.featureCount() + k];
        }
        return t;
    }

    @Test
    void maskRemovalZeroesFloorOfOneMinusRhoPerClassAndLeavesTheInputAlone() {
        DataSplit train = swatches(1);
        float[] before = train.masks().clone();
        DataSplit out = new TrainingSetTransform(0.6, false, null, null).apply(train, 3);
        assertArrayEquals(before, train.masks(), "the input split is never modified");
        assertArrayEquals(train.inputs(), out.inputs());
        int[] zeroed = new int[2];
        for (int i = 0; i < 20; i++) {
            if (sum(out, i) == 0) {
                zeroed[out.labels()[i]]++;
            } else {
                assertEquals(S * S, sum(out, i), 0f);
            }
        }
        assertArrayEquals(new int[] {4, 4}, zeroed, "floor(0.4 * 10) per class");
        DataSplit again = new TrainingSetTransform(0.6, false, null, null).apply(train, 3);
        assertArrayEquals(out.masks(), again.masks(), "seeded");
        DataSplit other = new TrainingSetTransform(0.6, false, null, null).apply(train, 4);
        assertNotEquals(java.util.Arrays.toString(out.masks()), java.util.Arrays.toString(other.masks()));
        DataSplit none = new TrainingSetTransform(0.0, false, null, null).apply(train, 3);
        for (int i = 0; i < 20; i++) {
            assertEquals(0f, sum(none, i), 0f);
        }
        assertSame(train, TrainingSetTransform.none().apply(train, 3));
    }

    @Test
    void dataRemovalDropsWholeExamplesPerClass() {
        DataSplit train = swatches(1);
        DataSplit out = new TrainingSetTransform(0.8, true, null, null).apply(train, 1);
        assertEquals(16, out.size(), "floor(0.2 * 10) = 2 dropped per class");
        int ones = 0;
        for (int i = 0; i < out.size(); i++) {
            ones += out.labels()[i];
            int original = (int) out.inputs()[i * out.featureCount()];
            assertEquals(original % 2, out.labels()[i], "labels stay with their example");
            assertEquals(S * S, sum(out, i), 0f, "kept examples keep their masks");
        }
        assertEquals(8, ones);
        assertThrows(MlxException.class, () -> new TrainingSetTransform(0.0, true, null, null));
    }

    @Test
    void everyCorruptionFollowsTheDermaRulesOnAllChannels() {
        DataSplit train = swatches(3);
        int f = train.featureCount();
        for (Corruption c : Corruption.values()) {
            DataSplit out = new TrainingSetTransform(0.0, false, c, CorruptionRules.DERMA).apply(train, 7);
            for (int i = 0; i < 20; i++) {
                float[] m = java.util.Arrays.copyOfRange(out.masks(), i * f, (i + 1) * f);
                int[] box = box(m);
                int side = box[2] - box[0];
                assertEquals(side, box[3] - box[1], c + ": square block");
                assertEquals(3f * side * side, sum(out, i), 0f, c + ": a filled block on 3 channels");
                boolean top = (i % 4) < 2;
                boolean left = (i % 4) % 2 == 0;
                switch (c) {
                    case MISPOSITION -> {
                        assertEquals(S, side);
                        assertTrue(box[0] >= S && box[0] <= N - S - 2 && box[1] >= S && box[1] <= N - S - 2,
                                "misposition top-left in U{S..N-S-2}");
                    }
                    case SHIFT -> {
                        assertEquals(S, side);
                        int dr = top ? box[0] : N - box[2];
                        int dc = left ? box[1] : N - box[3];
                        assertTrue(dr >= 1 && dr <= S - 2 && dc >= 1 && dc <= S - 2, "shift in U{1..S-2}: " + dr + ","
                                + dc);
                    }
                    case DILATION -> {
                        assertTrue(side > S && side <= 2 * S);
                        assertEquals(top ? 0 : N - side, box[0], "anchored at the corner");
                        assertEquals(left ? 0 : N - side, box[1]);
                    }
                    case SHRINK -> {
                        assertTrue(side >= 1 && side < S);
                        assertEquals(top ? 0 : N - side, box[0]);
                        assertEquals(left ? 0 : N - side, box[1]);
                    }
                    default -> throw new AssertionError(c);
                }
            }
        }
    }

    @Test
    void decoyMnistRulesUseTheWholeSetAndTheirRanges() {
        SplittableRandom rng = new SplittableRandom(1);
        for (int k = 0; k < 500; k++) {
            int m = CorruptionRules.DECOY_MNIST.draw(Corruption.MISPOSITION, 4, 28, rng);
            assertTrue(m >= 5 && m <= 23);
            int s = CorruptionRules.DECOY_MNIST.draw(Corruption.SHIFT, 4, 28, rng);
            assertTrue(s >= 1 && s <= 3);
            int d = CorruptionRules.DECOY_MNIST.draw(Corruption.DILATION, 4, 28, rng);
            assertTrue(d >= 1 && d <= 4);
        }
        DataSplit train = swatches(1);
        DataSplit out = new TrainingSetTransform(0.5, false, Corruption.SHRINK, CorruptionRules.DECOY_MNIST)
                .apply(train, 2);
        int corrupted = 0;
        for (int i = 0; i < 20; i++) {
            corrupted += sum(out, i) < S * S ? 1 : 0;
        }
        assertEquals(10, corrupted, "floor(0.5 * 20) over the whole set");
        assertEquals(CorruptionRules.DECOY_MNIST, CorruptionRules.parse("auto", "decoy-mnist"));
        assertEquals(CorruptionRules.DERMA, CorruptionRules.parse("auto", "decoy-derm"));
        MlxException tiny = assertThrows(MlxException.class,
                () -> CorruptionRules.DERMA.draw(Corruption.SHIFT, 2, 8, new SplittableRandom(0)));
        assertTrue(tiny.getMessage().contains("larger swatch"), tiny.getMessage());
    }

    @Test
    void aMaskWithoutACornerSwatchIsAClearError() {
        DataSplit train = swatches(1);
        float[] masks = new float[train.masks().length];
        masks[5 * N + 5] = 1f;
        DataSplit centre = new DataSplit("c", train.exampleShape(), train.inputs(), masks, train.labels(),
                train.groups(), 2, 2);
        MlxException e = assertThrows(MlxException.class,
                () -> new TrainingSetTransform(0.0, false, Corruption.SHIFT, CorruptionRules.DERMA).apply(centre, 0));
        assertTrue(e.getMessage().contains("corner"), e.getMessage());
    }

    /** @return {top, left, bottom (exclusive), right (exclusive)} of the non-zero pixels of channel 0 */
    private static int[] box(float[] m) {
        int top = N;
        int left = N;
        int bottom = 0;
        int right = 0;
        for (int r = 0; r < N; r++) {
            for (int c = 0; c < N; c++) {
                if (m[r * N + c] > 0) {
                    top = Math.min(top, r);
                    left = Math.min(left, c);
                    bottom = Math.max(bottom, r + 1);
                    right = Math.max(right, c + 1);
                }
            }
        }
        return new int[] {top, left, bottom, right};
    }
}
