package dev.mlx.engine.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.mlx.api.model.Architecture;
import dev.mlx.api.model.LayerSpec;
import dev.mlx.api.model.LayerSpec.BatchNormMode;
import dev.mlx.engine.MlxEngine;
import dev.mlx.engine.testkit.SharedEngine;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The forward semantics of the layers residual networks need, each against a direct Java
 * evaluation of PyTorch's definition: BatchNorm2d (batch and running statistics, the running
 * update with momentum and the unbiased variance, num_batches_tracked), MaxPool2d with padding,
 * global average pooling, Dropout (identity outside training, masks in {0, 1/(1-p)} while
 * training, repeatable under the seed), the residual sum, bias-free convolutions, frozen layers and
 * the names of nested tensors.
 */
class ResidualLayersTest {
    private static final double EPS = 1e-5;

    private static double[] random(SplittableRandom r, int n, double scale, double offset) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = offset + scale * (r.nextDouble() * 2 - 1);
        }
        return v;
    }

    private static float[] floats(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            f[i] = (float) d[i];
        }
        return f;
    }

    @Test
    @SuppressWarnings("try") // a Network.TrainingScope is a mode switch: the body never names it, only its close() counts
    void batchNormInTrainModeUsesBatchStatisticsAndUpdatesRunningStatisticsLikePyTorch() {
        MlxEngine engine = SharedEngine.get();
        int n = 3;
        int c = 2;
        int hw = 4;
        SplittableRandom r = new SplittableRandom(1);
        float[] gamma = floats(random(r, c, 1, 0));
        float[] beta = floats(random(r, c, 1, 0));
        float[] mean0 = floats(random(r, c, 0.5, 0));
        float[] var0 = floats(random(r, c, 0.5, 1));
        Architecture arch = new Architecture(List.of(new LayerSpec.BatchNorm2d(c, EPS, 0.1, BatchNormMode.TRAIN),
                new LayerSpec.Flatten()));
        Map<String, float[]> values = Map.of("layer0.weight", gamma, "layer0.bias", beta, "layer0.running_mean", mean0,
                "layer0.running_var", var0);
        try (Network net = engine.networks().create(arch, new int[] {c, 2, 2}, 0, values, DataType.FLOAT64);
                NDManager m = engine.manager().newSubManager()) {
            double[] x = random(r, n * c * hw, 2, 0.3);
            NDArray xs = m.create(x, new Shape(n, c, 2, 2));
            BatchNorm2dLayer bn = (BatchNorm2dLayer) net.layers().get(0);
            // outside training: the running statistics, nothing updated
            double[] eval = net.logits(xs).toDoubleArray();
            for (int i = 0; i < x.length; i++) {
                int ch = (i / hw) % c;
                double want = gamma[ch] * (x[i] - mean0[ch]) / Math.sqrt(var0[ch] + EPS) + beta[ch];
                assertEquals(want, eval[i], 1e-6, "eval-mode output " + i);
            }
            assertEquals(0.0, bn.numBatchesTracked().array().toDoubleArray()[0]);
            double[] train;
            try (Network.TrainingScope scope = net.trainingMode()) {
                assertTrue(bn.usesBatchStatistics());
                assertFalse(bn.supportsIntervals(), "batch statistics have no interval bounds");
                train = net.logits(xs).toDoubleArray();
            }
            assertFalse(bn.usesBatchStatistics(), "closing the scope restores evaluation mode");
            double[] runningMean = bn.runningMean().array().toDoubleArray();
            double[] runningVar = bn.runningVar().array().toDoubleArray();
            for (int ch = 0; ch < c; ch++) {
                double sum = 0;
                int count = 0;
                for (int i = 0; i < x.length; i++) {
                    if ((i / hw) % c == ch) {
                        sum += x[i];
                        count++;
                    }
                }
                double mean = sum / count;
                double ss = 0;
                for (int i = 0; i < x.length; i++) {
                    if ((i / hw) % c == ch) {
                        ss += (x[i] - mean) * (x[i] - mean);
                    }
                }
                double biased = ss / count;
                for (int i = 0; i < x.length; i++) {
                    if ((i / hw) % c == ch) {
                        double want = gamma[ch] * (x[i] - mean) / Math.sqrt(biased + EPS) + beta[ch];
                        assertEquals(want, train[i], 1e-6, "train-mode output " + i);
                    }
                }
                assertEquals(0.9 * mean0[ch] + 0.1 * mean, runningMean[ch], 1e-6, "running mean " + ch);
                assertEquals(0.9 * var0[ch] + 0.1 * ss / (count - 1), runningVar[ch], 1e-6, "running var " + ch);
            }
            assertEquals(1.0, bn.numBatchesTracked().array().toDoubleArray()[0]);
        }
    }

    @Test
    @SuppressWarnings("try") // a Network.TrainingScope is a mode switch: the body never names it, only its close() counts
    void batchNormInEvalModeNeverUsesBatchStatistics() {
        MlxEngine engine = SharedEngine.get();
        Architecture arch = new Architecture(List.of(new LayerSpec.BatchNorm2d(2, BatchNormMode.EVAL),
                new LayerSpec.Flatten()));
        try (Network net = engine.networks().create(arch, new int[] {2, 2, 2}, 0, Map.of(), DataType.FLOAT64);
                NDManager m = engine.manager().newSubManager()) {
            NDArray xs = m.create(random(new SplittableRandom(2), 16, 3, 1), new Shape(2, 2, 2, 2));
            double[] before = net.logits(xs).toDoubleArray();
            double[] during;
            try (Network.TrainingScope scope = net.trainingMode()) {
                during = net.logits(xs).toDoubleArray();
            }
            assertArrayEquals(before, during, 0.0);
            BatchNorm2dLayer bn = (BatchNorm2dLayer) net.layers().get(0);
            assertArrayEquals(new double[] {0, 0}, bn.runningMean().array().toDoubleArray(), 0.0);
            assertArrayEquals(new double[] {1, 1}, bn.runningVar().array().toDoubleArray(), 0.0);
            assertTrue(bn.weight().trainable() && !bn.runningMean().trainable());
        }
    }

    @Test
    void maxPoolWithPaddingAndGlobalAveragePoolMatchTheirDefinitions() {
        MlxEngine engine = SharedEngine.get();
        int side = 5;
        Architecture arch = new Architecture(List.of(new LayerSpec.MaxPool2d(3, 2, 1), new LayerSpec.Flatten()));
        Architecture avg = new Architecture(List.of(new LayerSpec.GlobalAvgPool2d(), new LayerSpec.Flatten()));
        try (Network net = engine.networks().create(arch, new int[] {1, side, side}, 0, Map.of(), DataType.FLOAT64);
                Network pool = engine.networks().create(avg, new int[] {1, side, side}, 0, Map.of(),
                        DataType.FLOAT64);
                NDManager m = engine.manager().newSubManager()) {
            double[] x = random(new SplittableRandom(3), side * side, 1, -0.5); // mostly negative: padding is -inf
            NDArray xs = m.create(x, new Shape(1, 1, side, side));
            double[] got = net.logits(xs).toDoubleArray();
            int out = (side + 2 - 3) / 2 + 1;
            assertEquals(out * out, got.length);
            for (int i = 0; i < out; i++) {
                for (int j = 0; j < out; j++) {
                    double max = Double.NEGATIVE_INFINITY;
                    for (int a = 0; a < 3; a++) {
                        for (int b = 0; b < 3; b++) {
                            int h = 2 * i - 1 + a;
                            int w = 2 * j - 1 + b;
                            if (h >= 0 && h < side && w >= 0 && w < side) {
                                max = Math.max(max, x[h * side + w]);
                            }
                        }
                    }
                    assertEquals(max, got[i * out + j], 0.0, "window " + i + "," + j);
                }
            }
            double mean = 0;
            for (double v : x) {
                mean += v / x.length;
            }
            assertEquals(mean, pool.logits(xs).toDoubleArray()[0], 1e-12);
        }
    }

    @Test
    @SuppressWarnings("try") // a Network.TrainingScope is a mode switch: the body never names it, only its close() counts
    void dropoutIsTheIdentityOutsideTrainingAndARepeatableScaledMaskDuringIt() {
        MlxEngine engine = SharedEngine.get();
        double p = 0.25;
        Architecture arch = new Architecture(List.of(new LayerSpec.Dropout(p)));
        try (Network a = engine.networks().create(arch, new int[] {4000}, 11, Map.of(), DataType.FLOAT64);
                Network b = engine.networks().create(arch, new int[] {4000}, 11, Map.of(), DataType.FLOAT64);
                NDManager m = engine.manager().newSubManager()) {
            double[] x = random(new SplittableRandom(4), 8000, 1, 2); // all in [1, 3]
            NDArray xs = m.create(x, new Shape(2, 4000));
            assertArrayEquals(x, a.logits(xs).toDoubleArray(), 0.0);
            double[] first;
            double[] second;
            double[] twin;
            try (Network.TrainingScope sa = a.trainingMode(); Network.TrainingScope sb = b.trainingMode()) {
                first = a.logits(xs).toDoubleArray();
                second = a.logits(xs).toDoubleArray();
                twin = b.logits(xs).toDoubleArray();
            }
            int dropped = 0;
            for (int i = 0; i < x.length; i++) {
                if (first[i] == 0) {
                    dropped++;
                } else {
                    assertEquals(x[i] / (1 - p), first[i], 1e-12, "kept values are scaled by 1/(1-p)");
                }
            }
            double rate = dropped / (double) x.length;
            assertTrue(Math.abs(rate - p) < 0.03, "drop rate " + rate);
            assertArrayEquals(first, twin, 0.0, "the same seed gives the same masks");
            assertFalse(java.util.Arrays.equals(first, second), "every forward pass draws a fresh mask");
        }
    }

    @Test
    void residualSumsItsBranchesAndNamesNestedTensors() {
        MlxEngine engine = SharedEngine.get();
        LayerSpec.Residual block = new LayerSpec.Residual(
                List.of(new LayerSpec.Conv2d(2, 3, 3, 2, 1, false), new LayerSpec.BatchNorm2d(3, BatchNormMode.EVAL)),
                List.of(new LayerSpec.Conv2d(2, 3, 1, 2, 0, false)));
        LayerSpec.Residual identity = new LayerSpec.Residual(List.of(new LayerSpec.Relu()), List.of());
        Architecture arch = new Architecture(List.of(block, identity, new LayerSpec.Flatten(),
                new LayerSpec.Linear(12, 2)), 2, null);
        try (Network net = engine.networks().create(arch, new int[] {2, 4, 4}, 5, Map.of(), DataType.FLOAT64);
                NDManager m = engine.manager().newSubManager()) {
            List<String> names = net.parameters().stream().map(Parameter::name).toList();
            assertEquals(List.of("layer0.body.0.weight", "layer0.body.1.weight", "layer0.body.1.bias",
                    "layer0.body.1.running_mean", "layer0.body.1.running_var", "layer0.body.1.num_batches_tracked",
                    "layer0.shortcut.0.weight", "layer3.weight", "layer3.bias"), names);
            assertEquals(List.of("layer3.weight", "layer3.bias"),
                    net.trainableParameters().stream().map(Parameter::name).toList(), "the first 2 layers are frozen");
            assertFalse(net.parameters().get(0).array().hasGradient(), "frozen tensors need no gradient");
            assertEquals(1, net.weights().size(), "only trainable weights take part in L2 terms");
            ResidualLayer res = (ResidualLayer) net.layers().get(0);
            Conv2dLayer conv = (Conv2dLayer) res.body().get(0);
            assertNull(conv.bias());
            assertEquals(3, conv.kernel());
            assertEquals(2, conv.stride());
            assertEquals(1, conv.padding());
            NDArray xs = m.create(random(new SplittableRandom(6), 2 * 32, 1, 0), new Shape(2, 2, 4, 4));
            NDArray body = res.body().get(1).forward(res.body().get(0).forward(xs));
            NDArray skip = res.shortcut().get(0).forward(xs);
            assertArrayEquals(body.add(skip).toDoubleArray(), res.forward(xs).toDoubleArray(), 1e-12);
            NDArray y = res.forward(xs);
            ResidualLayer id = (ResidualLayer) net.layers().get(1);
            NDArray relu = y.duplicate();
            double[] want = relu.toDoubleArray();
            for (int i = 0; i < want.length; i++) {
                want[i] = Math.max(want[i], 0) + want[i];
            }
            assertArrayEquals(want, id.forward(y).toDoubleArray(), 1e-12);
            assertNotEquals(0.0, y.abs().sum().getDouble());
        }
    }
}
