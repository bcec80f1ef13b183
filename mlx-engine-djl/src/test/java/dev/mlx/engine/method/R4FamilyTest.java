package dev.mlx.engine.method;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.mlx.api.error.MlxException;
import dev.mlx.api.param.HyperParameters;
import dev.mlx.api.param.ParameterSpec;
import dev.mlx.api.train.Batch;
import dev.mlx.api.train.Losses;
import dev.mlx.api.train.Model;
import dev.mlx.api.train.RegularizerProvider;
import dev.mlx.api.train.TrainingContext;
import dev.mlx.engine.method.RandR4Provider.Sampling;
import dev.mlx.engine.nn.Network;
import dev.mlx.engine.testkit.RegularizerTestKit;
import dev.mlx.engine.testkit.SharedEngine;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Smooth-R3, Rand-R4 and Adv-R4: the kit, the formulas recomputed by hand, chunking, noise, the PGD search. */
class R4FamilyTest {
    private static final int[] EXAMPLE_SHAPE = {2, 3};
    private static final long SEED = 1234;

    static List<RegularizerProvider> providers() {
        return List.of(new SmoothRrrProvider(), new RandR4Provider(), new AdvR4Provider());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("providers")
    void passesTheRegularizerTestKit(RegularizerProvider provider) {
        // Adv-R4 passes the default finite-difference check as is: its search takes sign steps,
        // so x_adv is piecewise constant in the parameters and a 1e-6 perturbation of a parameter
        // does not move it (no sign flips on the kit's tiny batch).
        new RegularizerTestKit(SharedEngine.get()).checkAll(provider);
    }

    @Test
    void sampledFormsDeclareTheSharedParametersInTheirPlace() {
        assertEquals(List.of("lambda", "epsilon", "samples", "noise", "weight-l2", "internal-batch-size"),
                new RandR4Provider().parameters().specs().stream().map(ParameterSpec::name).toList());
        assertEquals(List.of("lambda", "epsilon", "samples", "noise", "form", "weight-l2", "reduction",
                "internal-batch-size"),
                new SmoothRrrProvider().parameters().specs().stream().map(ParameterSpec::name).toList());
        for (RegularizerProvider provider : List.of(new RandR4Provider(), new SmoothRrrProvider())) {
            HyperParameters defaults = provider.parameters().defaults();
            assertEquals("symmetric", defaults.getString("noise"), provider.name());
            assertEquals(1e-4, defaults.getDouble("weight-l2"), provider.name());
            double epsilon = defaults.getDouble("epsilon");
            assertEquals(-epsilon, Sampling.noiseLow(defaults, epsilon), provider.name());
            HyperParameters oneSided = provider.parameters().bind(provider.name(), Map.of("noise", "one-sided"));
            assertEquals(0.0, Sampling.noiseLow(oneSided, epsilon), provider.name());
        }
    }

    static Stream<Arguments> variants() {
        return Stream.of(
                Arguments.of(new SmoothRrrProvider(), Map.of("form", "difference", "noise", "one-sided",
                        "weight-l2", "0")),
                Arguments.of(new SmoothRrrProvider(), Map.of("reduction", "features", "weight-l2", "0",
                        "lambda", "300")),
                Arguments.of(new RandR4Provider(), Map.of("noise", "one-sided", "weight-l2", "0")),
                // the reference's search: loss ascent from the clean point with step = epsilon
                Arguments.of(new AdvR4Provider(), Map.of("ascent", "loss", "random-start", "false", "step-size",
                        "0.5", "keep-best", "false", "weight-l2", "0")),
                // the exact ascent, last iterate instead of the best one, short search in a small box
                Arguments.of(new AdvR4Provider(), Map.of("keep-best", "false", "steps", "3", "epsilon", "0.1",
                        "weight-l2", "0")));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("variants")
    void variantsMatchFiniteDifferences(RegularizerProvider provider, Map<String, String> raw) {
        HyperParameters p = provider.parameters().bind(provider.name(), raw);
        new RegularizerTestKit(SharedEngine.get()).checkParameterGradient(provider, p, 1e-4);
    }

    static Stream<Arguments> chunkedVariants() {
        return Stream.of(
                Arguments.of(new SmoothRrrProvider(), Map.of()),
                Arguments.of(new SmoothRrrProvider(), Map.of("form", "difference")),
                Arguments.of(new RandR4Provider(), Map.of()),
                Arguments.of(new AdvR4Provider(), Map.of()),
                Arguments.of(new AdvR4Provider(), Map.of("ascent", "loss", "keep-best", "false")));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("chunkedVariants")
    void chunkingDoesNotChangeTheValue(RegularizerProvider provider, Map<String, String> raw) {
        double whole = penalty(provider, with(raw, "internal-batch-size", "0"), 0.5, 9);
        double single = penalty(provider, with(raw, "internal-batch-size", "1"), 0.5, 9);
        // uneven chunks: 23 rows = 2 or 3 examples per call for the sampling methods (S + 1 = 8 or 11
        // rows each), 4 rows = 4 + 4 + 1 examples for adv-r4
        double uneven = penalty(provider, with(raw, "internal-batch-size", "23"), 0.5, 9);
        double four = penalty(provider, with(raw, "internal-batch-size", "4"), 0.5, 9);
        assertTrue(whole > 0, "penalty " + whole);
        assertEquals(whole, single, 1e-11 * whole, provider.name() + ": one example per call");
        assertEquals(whole, uneven, 1e-11 * whole, provider.name() + ": internal-batch-size 23");
        assertEquals(whole, four, 1e-11 * whole, provider.name() + ": internal-batch-size 4");
    }

    @Test
    void symmetricNoiseTakesNegativeValuesAndOneSidedDoesNot() {
        try (NDManager m = SharedEngine.get().manager().newSubManager()) {
            Shape example = new Shape(2, 3);
            double[] symmetric = Sampling.uniform(m, DataType.FLOAT64, Sampling.perExample(SEED, 50), 0, 50, 10,
                    example, -0.5, 0.5).toDoubleArray();
            double min = Double.POSITIVE_INFINITY;
            double max = Double.NEGATIVE_INFINITY;
            double sum = 0;
            for (double v : symmetric) {
                min = Math.min(min, v);
                max = Math.max(max, v);
                sum += v;
            }
            assertTrue(min < -0.45 && min >= -0.5, "min " + min);
            assertTrue(max > 0.45 && max <= 0.5, "max " + max);
            assertEquals(0, sum / symmetric.length, 0.03, "mean of U(-0.5, 0.5)");
            float[] oneSided = Sampling.uniform(m, DataType.FLOAT32, Sampling.perExample(SEED, 50), 0, 50, 10,
                    example, 0, 0.5).toFloatArray();
            for (float v : oneSided) {
                assertTrue(v >= 0 && v <= 0.5f, "one-sided value " + v);
            }
        }
    }

    @Test
    void noiseOfAnExampleDoesNotDependOnTheChunk() {
        try (NDManager m = SharedEngine.get().manager().newSubManager()) {
            Shape example = new Shape(2, 3);
            NDArray all = Sampling.uniform(m, DataType.FLOAT64, Sampling.perExample(SEED, 9), 0, 9, 4, example, -1, 1);
            NDArray part = Sampling.uniform(m, DataType.FLOAT64, Sampling.perExample(SEED, 9), 3, 7, 4, example, -1,
                    1);
            assertEquals(new Shape(4, 4, 2, 3), part.getShape());
            assertTrue(all.get(":, 3:7").contentEquals(part));
        }
    }

    @Test
    void randR4OnABatchWithoutMasksIsExactlyZero() {
        RandR4Provider rand = new RandR4Provider();
        assertEquals(0.0, penalty(rand, Map.of("weight-l2", "0"), 0.0, 6), 0.0);
        // with the default wc only the weight term remains: lambda * wc * sum W^2, bit for bit
        try (NDManager m = SharedEngine.get().manager().newSubManager(); Network net = network(3)) {
            Batch batch = batch(m, 6, 0.0, 6);
            double value = rand.create(rand.parameters().defaults()).penalty(net, batch, context(m)).getDouble();
            double expected = dev.mlx.api.train.Scalars.times(dev.mlx.api.train.Scalars.times(
                    Losses.sumOfSquares(net.weights(), batch.inputs()), 1e-4), 15).getDouble();
            assertEquals(expected, value, 0.0);
        }
        SmoothRrrProvider smooth = new SmoothRrrProvider();
        assertEquals(0.0, penalty(smooth, Map.of("weight-l2", "0", "form", "difference"), 0.0, 6), 0.0);
        assertEquals(0.0, penalty(smooth, Map.of("weight-l2", "0"), 0.0, 6), 0.0);
        assertEquals(0.0, penalty(new AdvR4Provider(), Map.of("weight-l2", "0"), 0.0, 6), 0.0);
    }

    @Test
    void smoothRrrWithoutNoiseIsRrr() {
        for (String reduction : List.of("batch", "features")) {
            double smooth = penalty(new SmoothRrrProvider(), Map.of("epsilon", "0", "reduction", reduction), 0.5, 7);
            double rrr = penalty(new RrrProvider(), Map.of("reduction", reduction), 0.5, 7);
            assertEquals(rrr, smooth, 1e-12 * rrr, reduction);
        }
    }

    @Test
    void smoothRrrIsRrrOnTheMeanNoisyGradient() {
        int n = 5;
        int samples = 3;
        double eps = 0.3;
        double expected;
        try (NDManager m = SharedEngine.get().manager().newSubManager(); Network net = network(4)) {
            Batch batch = batch(m, n, 0.5, 8);
            NDArray noise = Sampling.uniform(m, DataType.FLOAT64, Sampling.perExample(SEED, n), 0, n, samples,
                    new Shape(2, 3), -eps, eps);
            NDArray mean = null;
            for (int s = 0; s < samples; s++) {
                NDArray g = fullGradient(net, batch.inputs().add(noise.get(s)), batch.labels());
                mean = mean == null ? g : mean.add(g);
            }
            mean = mean.div(samples);
            double gradientTerm = mean.mul(batch.masks()).square().sum().getDouble() / n;
            double weights = Losses.sumOfSquares(net.weights(), batch.inputs()).getDouble();
            expected = 10 * (gradientTerm + 1e-4 * weights);
        }
        double value = penalty(new SmoothRrrProvider(), Map.of("samples", "3", "epsilon", "0.3"), 0.5, n, 8, 4);
        assertEquals(expected, value, 1e-6 * expected);
    }

    @Test
    void randR4IsTheNormOfTheLargestMaskedGradientChangeOverTheMaskCount() {
        int n = 5;
        int samples = 4;
        double eps = 0.5;
        double expected;
        try (NDManager m = SharedEngine.get().manager().newSubManager(); Network net = network(4)) {
            Batch batch = batch(m, n, 0.5, 8);
            NDArray noise = Sampling.uniform(m, DataType.FLOAT64, Sampling.perExample(SEED, n), 0, n, samples,
                    new Shape(2, 3), -eps, eps);
            NDArray clean = fullGradient(net, batch.inputs(), batch.labels());
            NDArray max = null;
            for (int s = 0; s < samples; s++) {
                NDArray xs = batch.inputs().add(noise.get(s).mul(batch.masks()));
                NDArray d = fullGradient(net, xs, batch.labels()).sub(clean).abs().mul(batch.masks());
                max = max == null ? d : max.maximum(d);
            }
            double nnz = batch.masks().sum().getDouble();
            double norm = Math.sqrt(max.square().sum().getDouble());
            double weights = Losses.sumOfSquares(net.weights(), batch.inputs()).getDouble();
            expected = 15 * (norm / nnz + 1e-4 * weights);
        }
        double value = penalty(new RandR4Provider(), Map.of("samples", "4"), 0.5, n, 8, 4);
        assertEquals(expected, value, 1e-6 * expected);
    }

    @Test
    void advR4SearchStaysInTheBoxAndIncreasesTheGradientDifference() {
        AdvR4Provider adv = new AdvR4Provider();
        int n = 16;
        double eps = 0.5;
        try (NDManager m = SharedEngine.get().manager().newSubManager(); Network net = network(5)) {
            Batch batch = batch(m, n, 0.5, 11);
            NDArray x = batch.inputs();
            NDArray masks = batch.masks();
            NDArray g0 = fullGradient(net, x, batch.labels()).stopGradient();
            for (boolean keepBest : List.of(true, false)) {
                AdvR4Provider.Search search = AdvR4Provider.Search.of(adv.parameters().bind("adv-r4",
                        Map.of("keep-best", Boolean.toString(keepBest))));
                NDArray start = search.start(x, masks, Sampling.perExample(SEED, n), 0);
                NDArray found = search.maximise(net, x, batch.labels(), masks, g0, Sampling.perExample(SEED, n), 0);
                double[] offset = found.sub(x).toDoubleArray();
                double[] mask = masks.toDoubleArray();
                for (int i = 0; i < offset.length; i++) {
                    assertTrue(Math.abs(offset[i]) <= eps * mask[i] + 1e-12, "keep-best=" + keepBest + ": feature " + i
                            + " left the box: offset " + offset[i] + ", mask " + mask[i]);
                }
                if (keepBest) {
                    double[] before = AdvR4Provider.gradientDifference(net, start, batch.labels(), masks, g0)
                            .toDoubleArray();
                    double[] after = AdvR4Provider.gradientDifference(net, found, batch.labels(), masks, g0)
                            .toDoubleArray();
                    double sumBefore = 0;
                    double sumAfter = 0;
                    for (int i = 0; i < n; i++) {
                        assertTrue(after[i] >= before[i], "example " + i + ": " + after[i] + " < " + before[i]);
                        sumBefore += before[i];
                        sumAfter += after[i];
                    }
                    // measured 1.6x on this batch (default alpha = eps/4, T = 10)
                    assertTrue(sumAfter > 1.3 * sumBefore, sumAfter + " vs start " + sumBefore);
                }
            }
        }
    }

    @Test
    void advR4AscendsTheExactGradientOfTheGradientDifference() {
        AdvR4Provider adv = new AdvR4Provider();
        int n = 16;
        try (NDManager m = SharedEngine.get().manager().newSubManager(); Network net = network(5)) {
            Batch batch = batch(m, n, 0.5, 11);
            NDArray x = batch.inputs();
            NDArray y = batch.labels();
            NDArray masks = batch.masks();
            NDArray g0 = fullGradient(net, x, y).stopGradient();
            AdvR4Provider.Search oneSmallStep = AdvR4Provider.Search.of(adv.parameters().bind("adv-r4",
                    Map.of("keep-best", "false", "steps", "1", "step-size", "0.005")));
            NDArray start = oneSmallStep.start(x, masks, Sampling.perExample(SEED, n), 0);
            // the direction: double backprop agrees with central differences of J in x'
            double[] ascent = net.gradient(start, p -> AdvR4Provider.gradientDifference(net, p, y, masks, g0))
                    .toDoubleArray();
            double[] point = start.toDoubleArray();
            double[] mask = masks.toDoubleArray();
            double h = 1e-6;
            int checked = 0;
            for (int i = 0; i < point.length && checked < 8; i++) {
                if (mask[i] == 0) {
                    continue;
                }
                double[] plus = point.clone();
                plus[i] += h;
                double[] minus = point.clone();
                minus[i] -= h;
                double fd = (AdvR4Provider.gradientDifference(net, m.create(plus, x.getShape()), y, masks, g0).sum()
                        .getDouble() - AdvR4Provider.gradientDifference(net, m.create(minus, x.getShape()), y, masks,
                                g0).sum().getDouble()) / (2 * h);
                assertEquals(fd, ascent[i], 1e-5 * Math.abs(fd) + 1e-12, "d J / d x'[" + i + "]");
                checked++;
            }
            assertEquals(8, checked);
            // one small sign step along it increases J for every example that has a masked feature
            NDArray found = oneSmallStep.maximise(net, x, y, masks, g0, Sampling.perExample(SEED, n), 0);
            double[] before = AdvR4Provider.gradientDifference(net, start, y, masks, g0).toDoubleArray();
            double[] after = AdvR4Provider.gradientDifference(net, found, y, masks, g0).toDoubleArray();
            double[] maskedPerExample = masks.sum(new int[] {1, 2}).toDoubleArray();
            for (int i = 0; i < n; i++) {
                if (maskedPerExample[i] > 0) {
                    assertTrue(after[i] > before[i], "example " + i + ": " + after[i] + " <= " + before[i]);
                } else {
                    assertEquals(0.0, after[i], 0.0);
                }
            }
        }
    }

    @Test
    void advR4PenaltyIsTheMeanSquaredGradientChangeAtTheFoundPoint() {
        AdvR4Provider adv = new AdvR4Provider();
        int n = 6;
        double expected;
        try (NDManager m = SharedEngine.get().manager().newSubManager(); Network net = network(4)) {
            Batch batch = batch(m, n, 0.5, 8);
            NDArray g0 = fullGradient(net, batch.inputs(), batch.labels()).stopGradient();
            NDArray found = AdvR4Provider.Search.of(adv.parameters().defaults()).maximise(net, batch.inputs(),
                    batch.labels(), batch.masks(), g0, Sampling.perExample(SEED, n), 0);
            double j = AdvR4Provider.gradientDifference(net, found, batch.labels(), batch.masks(), g0).sum()
                    .getDouble();
            double weights = Losses.sumOfSquares(net.weights(), batch.inputs()).getDouble();
            expected = 14 * (j / n + 1e-4 * weights);
        }
        double value = penalty(adv, Map.of(), 0.5, n, 8, 4);
        assertEquals(expected, value, 1e-6 * expected);
    }

    @Test
    void advR4RefusesAnExactAscentFromTheCleanPoint() {
        AdvR4Provider adv = new AdvR4Provider();
        HyperParameters p = adv.parameters().bind("adv-r4", Map.of("random-start", "false"));
        MlxException e = assertThrows(MlxException.class, () -> adv.create(p));
        assertTrue(e.getMessage().contains("random-start") && e.getMessage().contains("ascent=loss"), e.getMessage());
    }

    private static Map<String, String> with(Map<String, String> raw, String key, String value) {
        Map<String, String> out = new HashMap<>(raw);
        out.put(key, value);
        return out;
    }

    private static double penalty(RegularizerProvider provider, Map<String, String> raw, double maskRate, int n) {
        return penalty(provider, raw, maskRate, n, 21, 7);
    }

    private static double penalty(RegularizerProvider provider, Map<String, String> raw, double maskRate, int n,
            long batchSeed, long netSeed) {
        HyperParameters p = provider.parameters().bind(provider.name(), raw);
        try (NDManager m = SharedEngine.get().manager().newSubManager(); Network net = network(netSeed)) {
            return provider.create(p).penalty(net, batch(m, n, maskRate, batchSeed), context(m))
                    .toType(DataType.FLOAT64, false).getDouble();
        }
    }

    private static Network network(long seed) {
        return SharedEngine.get().networks().create(RegularizerTestKit.TINY_MLP, EXAMPLE_SHAPE, seed, Map.of(),
                DataType.FLOAT64);
    }

    private static TrainingContext context(NDManager m) {
        return new TrainingContext(0, 1, 0, 3, SEED, m);
    }

    /** {@code n} float64 examples of shape 2x3 in [-1, 1]; each mask entry is 1 with probability maskRate. */
    private static Batch batch(NDManager manager, int n, double maskRate, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] x = new double[n * 6];
        double[] mask = new double[n * 6];
        long[] y = new long[n];
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextDouble() * 2 - 1;
            mask[i] = r.nextDouble() < maskRate ? 1 : 0;
        }
        for (int i = 0; i < n; i++) {
            y[i] = r.nextInt(3);
        }
        Shape shape = new Shape(n, 2, 3);
        return new Batch(manager.create(x, shape), manager.create(y), manager.create(mask, shape));
    }

    /** The full per-sample cross-entropy input gradient (create_graph): the tests' independent reference. */
    private static NDArray fullGradient(Model model, NDArray inputs, NDArray labels) {
        return model.inputGradient(inputs, logits -> Losses.perSampleCrossEntropy(logits, labels)).gradient();
    }
}
