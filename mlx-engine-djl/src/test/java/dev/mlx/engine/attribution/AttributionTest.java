package dev.mlx.engine.attribution;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.mlx.api.attribution.AttributionMethod;
import dev.mlx.api.attribution.AttributionProvider;
import dev.mlx.api.error.ErrorKind;
import dev.mlx.api.error.MlxException;
import dev.mlx.api.model.Architecture;
import dev.mlx.api.model.LayerSpec;
import dev.mlx.engine.MlxEngine;
import dev.mlx.engine.nn.Network;
import dev.mlx.engine.testkit.SharedEngine;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The three attribution methods on cases computed by hand: a linear model {@code z = Wx + b}, whose
 * logit gradient is {@code W[y]} everywhere, and a small float64 ReLU network for completeness of
 * integrated gradients and for the independence from the internal batch size.
 */
class AttributionTest {
    private static final double[][] W = {{0.5, -1.25, 2.0}, {-0.75, 0.25, 1.5}};
    private static final double[] BIAS = {0.125, -0.5};
    private static final double[][] X = {{0.2, -0.4, 1.0}, {1.5, 0.75, -0.25}, {-1.0, 0.5, 0.3}};
    private static final long[] Y = {0, 1, 1};
    private static final Architecture RELU_NET = new Architecture(List.of(new LayerSpec.Flatten(),
            new LayerSpec.Linear(6, 8), new LayerSpec.Relu(), new LayerSpec.Linear(8, 3)));

    private final MlxEngine engine = SharedEngine.get();

    private Network linear() {
        float[] wf = new float[6];
        for (int o = 0; o < 2; o++) {
            for (int i = 0; i < 3; i++) {
                wf[o * 3 + i] = (float) W[o][i];
            }
        }
        float[] bf = {(float) BIAS[0], (float) BIAS[1]};
        return engine.networks().create(new Architecture(List.of(new LayerSpec.Linear(3, 2))), new int[] {3}, 0,
                Map.of("layer0.weight", wf, "layer0.bias", bf), DataType.FLOAT64);
    }

    private static NDArray inputs(NDManager manager) {
        double[] flat = new double[9];
        for (int i = 0; i < 3; i++) {
            System.arraycopy(X[i], 0, flat, i * 3, 3);
        }
        return manager.create(flat, new Shape(3, 3));
    }

    private static AttributionMethod method(AttributionProvider provider, Map<String, String> params) {
        return provider.create(provider.parameters().bind(provider.name(), params));
    }

    private static double[][] rows(NDArray a, int width) {
        double[] flat = a.toType(DataType.FLOAT64, false).toDoubleArray();
        double[][] out = new double[flat.length / width][width];
        for (int i = 0; i < out.length; i++) {
            System.arraycopy(flat, i * width, out[i], 0, width);
        }
        return out;
    }

    @Test
    void inputGradientOfALinearModelIsTheClassRowOfW() {
        try (Network net = linear(); NDManager m = engine.manager().newSubManager()) {
            NDArray x = inputs(m);
            double[][] a = rows(method(new InputGradientAttributionProvider(), Map.of())
                    .attribute(net, x, m.create(Y), 0), 3);
            double[][] gi = rows(method(new InputGradientAttributionProvider(), Map.of("times-input", "true"))
                    .attribute(net, x, m.create(Y), 0), 3);
            for (int b = 0; b < 3; b++) {
                assertArrayEquals(W[(int) Y[b]], a[b], 1e-12, "row " + b);
                for (int i = 0; i < 3; i++) {
                    assertEquals(X[b][i] * W[(int) Y[b]][i], gi[b][i], 1e-12, "gradient * input");
                }
            }
        }
    }

    @Test
    void crossEntropyTargetGivesWTransposedTimesSoftmaxMinusOneHot() {
        try (Network net = linear(); NDManager m = engine.manager().newSubManager()) {
            double[][] a = rows(method(new InputGradientAttributionProvider(), Map.of("target", "cross-entropy"))
                    .attribute(net, inputs(m), m.create(Y), 0), 3);
            for (int b = 0; b < 3; b++) {
                double z0 = BIAS[0];
                double z1 = BIAS[1];
                for (int i = 0; i < 3; i++) {
                    z0 += W[0][i] * X[b][i];
                    z1 += W[1][i] * X[b][i];
                }
                double p1 = 1 / (1 + Math.exp(z0 - z1));
                double[] dz = {1 - p1 - (Y[b] == 0 ? 1 : 0), p1 - (Y[b] == 1 ? 1 : 0)};
                for (int i = 0; i < 3; i++) {
                    assertEquals(W[0][i] * dz[0] + W[1][i] * dz[1], a[b][i], 1e-12, "row " + b + " feature " + i);
                }
            }
        }
    }

    @Test
    void integratedGradientsOfALinearModelFromZeroIsXTimesTheClassRow() {
        try (Network net = linear(); NDManager m = engine.manager().newSubManager()) {
            for (String steps : new String[] {"1", "7"}) {
                for (String internal : new String[] {"0", "1", "2", "5"}) {
                    double[][] a = rows(method(new IntegratedGradientsProvider(),
                            Map.of("steps", steps, "internal-batch-size", internal))
                            .attribute(net, inputs(m), m.create(Y), 3), 3);
                    for (int b = 0; b < 3; b++) {
                        for (int i = 0; i < 3; i++) {
                            assertEquals(X[b][i] * W[(int) Y[b]][i], a[b][i], 1e-12,
                                    "M = " + steps + ", internal " + internal + ", row " + b);
                        }
                    }
                }
            }
        }
    }

    @Test
    void smoothGradOfALinearModelIsTheClassRowOfW() {
        try (Network net = linear(); NDManager m = engine.manager().newSubManager()) {
            double[][] a = rows(method(new SmoothGradProvider(), Map.of("samples", "9", "sigma", "0.5",
                    "internal-batch-size", "4")).attribute(net, inputs(m), m.create(Y), 11), 3);
            for (int b = 0; b < 3; b++) {
                assertArrayEquals(W[(int) Y[b]], a[b], 1e-12, "the noise cannot move a constant gradient");
            }
        }
    }

    @Test
    void integratedGradientsAreCompleteOnAReluNetwork() {
        try (Network net = engine.networks().create(RELU_NET, new int[] {2, 3}, 5, Map.of(), DataType.FLOAT64);
                NDManager m = engine.manager().newSubManager()) {
            NDArray x = randomInputs(m, 4, 21);
            NDArray y = m.create(new long[] {0, 2, 1, 2});
            for (String target : new String[] {"logit", "cross-entropy"}) {
                NDArray a = method(new IntegratedGradientsProvider(), Map.of("steps", "4000", "target", target,
                        "internal-batch-size", "3000")).attribute(net, x, y, 0);
                double[] sums = a.reshape(4, -1).sum(new int[] {1}).toDoubleArray();
                double[] fx = objective(net, x, y, target);
                double[] f0 = objective(net, x.zerosLike(), y, target);
                double spread = 0;
                for (int b = 0; b < 4; b++) {
                    spread = Math.max(spread, Math.abs(fx[b] - f0[b]));
                    assertEquals(fx[b] - f0[b], sums[b], 2e-3 * Math.max(1, Math.abs(fx[b] - f0[b])),
                            target + ": sum IG = F(x) - F(0), example " + b);
                }
                assertTrue(spread > 0.05, "a non-trivial case: " + spread);
            }
        }
    }

    @Test
    void theInternalBatchSizeDoesNotChangeTheResult() {
        try (Network net = engine.networks().create(RELU_NET, new int[] {2, 3}, 6, Map.of(), DataType.FLOAT64);
                NDManager m = engine.manager().newSubManager()) {
            NDArray x = randomInputs(m, 5, 22);
            NDArray y = m.create(new long[] {0, 2, 1, 2, 0});
            for (AttributionProvider provider : List.of(new IntegratedGradientsProvider(), new SmoothGradProvider())) {
                String points = provider instanceof SmoothGradProvider ? "samples" : "steps";
                double[] whole = method(provider, Map.of(points, "6", "internal-batch-size", "0"))
                        .attribute(net, x, y, 9).toDoubleArray();
                for (String internal : new String[] {"1", "3", "5", "12", "29", "30"}) {
                    double[] chunked = method(provider, Map.of(points, "6", "internal-batch-size", internal))
                            .attribute(net, x, y, 9).toDoubleArray();
                    assertArrayEquals(whole, chunked, 1e-12, provider.name() + " with internal batch " + internal);
                }
            }
        }
    }

    @Test
    void smoothGradIsSeededPerExample() {
        try (Network net = engine.networks().create(RELU_NET, new int[] {2, 3}, 7, Map.of(), DataType.FLOAT64);
                NDManager m = engine.manager().newSubManager()) {
            NDArray x = randomInputs(m, 4, 23);
            NDArray y = m.create(new long[] {1, 0, 2, 1});
            AttributionMethod smooth = method(new SmoothGradProvider(), Map.of("samples", "5"));
            double[] first = smooth.attribute(net, x, y, 100).toDoubleArray();
            assertArrayEquals(first, smooth.attribute(net, x, y, 100).toDoubleArray(), 0.0, "same seed, same values");
            assertFalse(java.util.Arrays.equals(first, smooth.attribute(net, x, y, 101).toDoubleArray()),
                    "the seed is used");
            double[] plain = method(new InputGradientAttributionProvider(), Map.of()).attribute(net, x, y, 0)
                    .toDoubleArray();
            assertFalse(java.util.Arrays.equals(first, plain), "the noise changes a ReLU network's gradient");
            // Rows 2..3 attributed alone with seed + 2 draw the same noise as inside the whole batch.
            double[] tail = smooth.attribute(net, RowChunks.rows(x, 2, 4), RowChunks.rows(y, 2, 4), 102)
                    .toDoubleArray();
            assertArrayEquals(java.util.Arrays.copyOfRange(first, 12, 24), tail, 1e-12);
            // sigma = 0 is the plain input gradient.
            double[] noNoise = method(new SmoothGradProvider(), Map.of("samples", "3", "sigma", "0"))
                    .attribute(net, x, y, 5).toDoubleArray();
            assertArrayEquals(plain, noNoise, 1e-12);
        }
    }

    @Test
    void integratedGradientsFromAUniformBaselineAreCompleteAgainstThatBaseline() {
        try (Network net = linear(); NDManager m = engine.manager().newSubManager()) {
            NDArray x = inputs(m);
            double[][] a = rows(method(new IntegratedGradientsProvider(), Map.of("baseline", "uniform", "steps", "3"))
                    .attribute(net, x, m.create(Y), 42), 3);
            SplittableRandom[] streams = {new SplittableRandom(42), new SplittableRandom(43), new SplittableRandom(44)};
            for (int b = 0; b < 3; b++) {
                for (int i = 0; i < 3; i++) {
                    double base = streams[b].nextDouble();
                    assertEquals((X[b][i] - base) * W[(int) Y[b]][i], a[b][i], 1e-12, "row " + b);
                }
            }
        }
    }

    @Test
    void badArgumentsAreUserErrors() {
        try (Network net = linear(); NDManager m = engine.manager().newSubManager()) {
            NDArray x = inputs(m);
            for (AttributionProvider p : List.of(new InputGradientAttributionProvider(), new SmoothGradProvider(),
                    new IntegratedGradientsProvider())) {
                AttributionMethod method = p.create(p.parameters().defaults());
                assertMessage(() -> method.attribute(net, x, m.create(new long[] {0, 1}), 0), "labels must have shape");
                assertMessage(() -> method.attribute(net, x, m.create(new long[] {0, 1, 2}), 0), "label 2");
                assertMessage(() -> method.attribute(net, x, m.create(new long[] {0, -1, 1}), 0), "negative");
                NDArray nan = m.create(new double[] {0, 1, Double.NaN, 0, 0, 0, 1, 1, 1}, new Shape(3, 3));
                assertMessage(() -> method.attribute(net, nan, m.create(Y), 0), "NaN");
                assertMessage(() -> method.attribute(net, m.create(new double[] {1, 2, 3}), m.create(new long[] {0}), 0),
                        "[B, ...exampleShape]");
            }
            assertThrows(MlxException.class, () -> new SmoothGradProvider().parameters()
                    .bind("smoothgrad", Map.of("sigma", "-0.1")));
            assertThrows(MlxException.class, () -> new IntegratedGradientsProvider().parameters()
                    .bind("integrated-gradients", Map.of("baseline", "blur")));
        }
    }

    @Test
    void theMethodsAreDiscoveredAndDeclareDifferentiability() {
        Map<String, Boolean> found = new java.util.TreeMap<>();
        ServiceLoader.load(AttributionProvider.class).forEach(p -> found.put(p.name(), p.differentiable()));
        assertEquals(Map.of("input-gradient", true, "integrated-gradients", true, "smoothgrad", true), found);
    }

    @Test
    void attributionsLeaveNoArraysOutsideTheCallersManager() {
        try (Network net = engine.networks().create(RELU_NET, new int[] {2, 3}, 8, Map.of(), DataType.FLOAT64)) {
            int before = net.manager().getManagedArrays().size();
            int rootBefore = engine.manager().getManagedArrays().size();
            for (AttributionProvider p : List.of(new InputGradientAttributionProvider(), new SmoothGradProvider(),
                    new IntegratedGradientsProvider())) {
                try (NDManager m = engine.manager().newSubManager()) {
                    NDArray a = p.create(p.parameters().defaults())
                            .attribute(net, randomInputs(m, 3, 1), m.create(new long[] {0, 1, 2}), 0);
                    assertEquals(m, a.getManager(), p.name() + ": the result lives on the inputs' manager");
                    assertEquals(new Shape(3, 2, 3), a.getShape());
                }
                assertEquals(before, net.manager().getManagedArrays().size(), p.name() + ": left on the network");
                assertEquals(rootBefore, engine.manager().getManagedArrays().size(), p.name() + ": left on the root");
            }
        }
    }

    private static void assertMessage(org.junit.jupiter.api.function.Executable call, String part) {
        MlxException e = assertThrows(MlxException.class, call);
        assertEquals(ErrorKind.USER, e.kind());
        assertTrue(e.getMessage().contains(part), () -> "expected '" + part + "' in: " + e.getMessage());
    }

    /** {@code [n, 2, 3]} float64 inputs uniform in {@code [0, 1)}. */
    static NDArray randomInputs(NDManager m, int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] v = new double[n * 6];
        for (int i = 0; i < v.length; i++) {
            v[i] = r.nextDouble();
        }
        return m.create(v, new Shape(n, 2, 3));
    }

    /** {@code F} per example: the class logit or the cross-entropy, written out from the logits. */
    private static double[] objective(Network net, NDArray x, NDArray y, String target) {
        double[][] z = rows(net.logits(x), 3);
        long[] labels = y.toLongArray();
        double[] f = new double[z.length];
        for (int b = 0; b < z.length; b++) {
            int c = (int) labels[b];
            if (target.equals("logit")) {
                f[b] = z[b][c];
            } else {
                double max = java.util.Arrays.stream(z[b]).max().orElseThrow();
                double lse = max + Math.log(java.util.Arrays.stream(z[b]).map(v -> Math.exp(v - max)).sum());
                f[b] = lse - z[b][c];
            }
        }
        return f;
    }
}
