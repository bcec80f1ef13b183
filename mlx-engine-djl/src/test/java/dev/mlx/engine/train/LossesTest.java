package dev.mlx.engine.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.mlx.api.train.Losses;
import dev.mlx.engine.testkit.SharedEngine;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link Losses#perSampleCrossEntropy}: values and logit gradients against a hand computation in
 * doubles, any integer label type, and a finite loss when another class's logit is {@code -inf}.
 */
class LossesTest {
    private static final int B = 7;
    private static final int C = 5;

    @Test
    void crossEntropyAndItsLogitGradientMatchAHandComputation() {
        SplittableRandom r = new SplittableRandom(3);
        float[] z = new float[B * C];
        for (int i = 0; i < z.length; i++) {
            z[i] = (float) (r.nextDouble() * 8 - 4);
        }
        long[] y = new long[B];
        for (int i = 0; i < B; i++) {
            y[i] = r.nextInt(C);
        }
        try (NDManager m = SharedEngine.get().manager().newSubManager();
                GradientCollector collector = m.getEngine().newGradientCollector()) {
            NDArray logits = m.create(z, new Shape(B, C));
            logits.setRequiresGradient(true);
            NDArray ce = Losses.perSampleCrossEntropy(logits, m.create(y));
            assertEquals(new Shape(B), ce.getShape());
            float[] values = ce.toFloatArray();
            collector.backward(ce.sum());
            float[] grad = logits.getGradient().toFloatArray();
            for (int b = 0; b < B; b++) {
                double max = Double.NEGATIVE_INFINITY;
                for (int c = 0; c < C; c++) {
                    max = Math.max(max, z[b * C + c]);
                }
                double sum = 0;
                for (int c = 0; c < C; c++) {
                    sum += Math.exp(z[b * C + c] - max);
                }
                double logSum = max + Math.log(sum);
                assertEquals(logSum - z[b * C + (int) y[b]], values[b], 1e-5, "loss of example " + b);
                for (int c = 0; c < C; c++) {
                    double expected = Math.exp(z[b * C + c] - logSum) - (c == y[b] ? 1 : 0);
                    assertEquals(expected, grad[b * C + c], 1e-6, "gradient of example " + b + ", class " + c);
                }
            }
        }
    }

    @Test
    void int32LabelsGiveTheSameLossAsInt64Labels() {
        try (NDManager m = SharedEngine.get().manager().newSubManager()) {
            NDArray logits = m.randomNormal(new Shape(B, C));
            NDArray y64 = m.create(new long[] {0, 4, 2, 2, 1, 3, 0});
            NDArray y32 = y64.toType(DataType.INT32, false);
            assertArrayEquals(Losses.perSampleCrossEntropy(logits, y64).toFloatArray(),
                    Losses.perSampleCrossEntropy(logits, y32).toFloatArray(), 0f);
        }
    }

    @Test
    void aMinusInfinityLogitOfAnotherClassLeavesTheLossFinite() {
        try (NDManager m = SharedEngine.get().manager().newSubManager()) {
            NDArray logits = m.create(new float[] {2f, Float.NEGATIVE_INFINITY, 0f}, new Shape(1, 3));
            float ce = Losses.perSampleCrossEntropy(logits, m.create(new long[] {0})).getFloat(0);
            assertTrue(Float.isFinite(ce), "loss " + ce);
            assertEquals(Math.log(1 + Math.exp(-2)), ce, 1e-6);
        }
    }
}
