package dev.mlx.engine.method;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.mlx.api.param.HyperParameters;
import dev.mlx.api.train.Batch;
import dev.mlx.api.train.Regularizer;
import dev.mlx.api.train.RegularizerProvider;
import dev.mlx.api.train.TrainingContext;
import dev.mlx.engine.nn.Network;
import dev.mlx.engine.testkit.RegularizerTestKit;
import dev.mlx.engine.testkit.SharedEngine;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** CoRM, PGD-Ex, IBP-Ex and IBP-Ex+RRR (reference spec §5.2, §6.3, §6.4). */
class IbpExFamilyTest {
    private static final int[] SHAPE = {2, 3};

    static List<RegularizerProvider> providers() {
        return List.of(new CormProvider(), new PgdExProvider(), new IbpExProvider(), new IbpExRrrProvider());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("providers")
    void passesTheRegularizerTestKit(RegularizerProvider provider) {
        new RegularizerTestKit(SharedEngine.get()).checkAll(provider);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("providers")
    void penaltyIsAScalarInTheInputTypeForFloat32(RegularizerProvider provider) {
        try (NDManager m = SharedEngine.get().manager().newSubManager();
                Network net = SharedEngine.get().networks().create(RegularizerTestKit.TINY_MLP, SHAPE, 3)) {
            Batch b64 = RegularizerTestKit.batch(m, 3);
            Batch batch = new Batch(b64.inputs().toType(DataType.FLOAT32, false), b64.labels(),
                    b64.masks().toType(DataType.FLOAT32, false));
            NDArray p = provider.create(provider.parameters().defaults()).penalty(net, batch, context(m, 0, 1, 5));
            assertEquals(DataType.FLOAT32, p.getDataType());
            assertEquals(new Shape(), p.getShape());
            assertTrue(Float.isFinite(p.getFloat()) && p.getFloat() > 0, provider.name() + ": " + p.getFloat());
        }
    }

    // ---------------------------------------------------------------- IBP-Ex schedules

    @Test
    void scheduleIsLinearFromStartAtTheFirstEpochToEndAtTheLast() {
        assertEquals(1.0, IbpExProvider.schedule(1.0, 0.5, 0, 11), 0.0);
        assertEquals(0.75, IbpExProvider.schedule(1.0, 0.5, 5, 11), 1e-15);
        assertEquals(0.5, IbpExProvider.schedule(1.0, 0.5, 10, 11), 0.0);
        assertEquals(0.0, IbpExProvider.schedule(0.0, 0.25, 0, 3), 0.0);
        assertEquals(0.125, IbpExProvider.schedule(0.0, 0.25, 1, 3), 1e-15);
        assertEquals(0.25, IbpExProvider.schedule(0.0, 0.25, 2, 3), 0.0);
        // a single epoch takes the end value; epochs beyond the last keep it
        assertEquals(0.5, IbpExProvider.schedule(1.0, 0.5, 0, 1), 0.0);
        assertEquals(0.5, IbpExProvider.schedule(1.0, 0.5, 12, 11), 0.0);
        assertThrows(IllegalArgumentException.class, () -> IbpExProvider.schedule(1, 0.5, -1, 3));
        assertThrows(IllegalArgumentException.class, () -> IbpExProvider.schedule(1, 0.5, 0, 0));
    }

    @Test
    void ibpExTaskWeightAndRadiusFollowTheSchedules() {
        IbpExProvider provider = new IbpExProvider();
        IbpExProvider.IbpEx ibp = (IbpExProvider.IbpEx) provider.create(provider.parameters()
                .bind("ibp-ex", Map.of("epsilon", "0.4", "epsilon-start", "0.1", "alpha-start", "0.9", "alpha-end", "0.3")));
        try (NDManager m = SharedEngine.get().manager().newSubManager()) {
            assertEquals(0.9, ibp.taskLossWeight(context(m, 0, 5, 0)), 1e-15);
            assertEquals(0.6, ibp.taskLossWeight(context(m, 2, 5, 0)), 1e-15);
            assertEquals(0.3, ibp.taskLossWeight(context(m, 4, 5, 0)), 1e-15);
            assertEquals(0.1, ibp.epsilon(context(m, 0, 5, 0)), 1e-15);
            assertEquals(0.3, ibp.epsilon(context(m, 2, 5, 0)), 1e-15);
            assertEquals(0.5, ibp.epsilon(context(m, 4, 5, 0)), 1e-15);
        }
        // the defaults: alpha 1 -> 0.5, eps 0 -> 0.25 (Decoy-MNIST, spec §11.1)
        Regularizer defaults = provider.create(provider.parameters().defaults());
        try (NDManager m = SharedEngine.get().manager().newSubManager()) {
            assertEquals(1.0, defaults.taskLossWeight(context(m, 0, 30, 0)), 0.0);
            assertEquals(0.5, defaults.taskLossWeight(context(m, 29, 30, 0)), 0.0);
            assertEquals(0.25, ((IbpExProvider.IbpEx) defaults).epsilon(context(m, 29, 30, 0)), 0.0);
        }
    }

    // ---------------------------------------------------------------- IBP-Ex values

    @Test
    void ibpExWithZeroRadiusIsTheNominalCrossEntropyOverSamplesWithAMask() {
        IbpExProvider provider = new IbpExProvider();
        HyperParameters p = provider.parameters().bind("ibp-ex", Map.of("epsilon", "0", "lambda", "3"));
        try (NDManager m = SharedEngine.get().manager().newSubManager(); Network net = network(21)) {
            Batch batch = withEmptyMask(m, RegularizerTestKit.batch(m, 21), 1);
            double[] z = net.logits(batch.inputs()).toDoubleArray();
            long[] y = batch.labels().toLongArray();
            double[] mask = batch.masks().toDoubleArray();
            // by hand: -log softmax(z)[y], averaged over the samples whose mask is not empty
            double sum = 0;
            int count = 0;
            for (int b = 0; b < y.length; b++) {
                double maskSum = 0;
                for (int f = 0; f < 6; f++) {
                    maskSum += mask[b * 6 + f];
                }
                if (maskSum == 0) {
                    continue;
                }
                double max = Math.max(z[b * 3], Math.max(z[b * 3 + 1], z[b * 3 + 2]));
                double lse = max + Math.log(Math.exp(z[b * 3] - max) + Math.exp(z[b * 3 + 1] - max)
                        + Math.exp(z[b * 3 + 2] - max));
                sum += lse - z[b * 3 + (int) y[b]];
                count++;
            }
            assertEquals(3, count);
            double expected = (1 - 0.5) * 3 * sum / count; // one epoch: alpha = alpha-end = 0.5
            double actual = provider.create(p).penalty(net, batch, context(m, 0, 1, 0)).getDouble();
            assertEquals(expected, actual, 1e-12);
        }
    }

    @Test
    void worstCaseCrossEntropyGrowsWithTheRadius() {
        try (NDManager m = SharedEngine.get().manager().newSubManager(); Network net = network(22)) {
            Batch batch = RegularizerTestKit.batch(m, 22);
            double nominal = IbpExProvider.worstCaseCrossEntropy(net, batch, 0).getDouble();
            double small = IbpExProvider.worstCaseCrossEntropy(net, batch, 0.1).getDouble();
            double large = IbpExProvider.worstCaseCrossEntropy(net, batch, 1.0).getDouble();
            assertTrue(nominal < small && small < large, nominal + " < " + small + " < " + large);
        }
    }

    @Test
    void ibpExOnABatchWithoutMasksIsZero() {
        IbpExProvider provider = new IbpExProvider();
        try (NDManager m = SharedEngine.get().manager().newSubManager(); Network net = network(23)) {
            Batch b = RegularizerTestKit.batch(m, 23);
            Batch batch = new Batch(b.inputs(), b.labels(), m.zeros(b.masks().getShape(), DataType.FLOAT64));
            NDArray penalty = provider.create(provider.parameters().defaults()).penalty(net, batch, context(m, 0, 1, 0));
            assertEquals(0.0, penalty.getDouble(), 0.0);
            assertTrue(Double.isFinite(IbpExProvider.worstCaseCrossEntropy(net, batch, 0.5).getDouble()));
        }
    }

    @Test
    void ibpExRrrIsIbpExPlusRrr() {
        IbpExRrrProvider both = new IbpExRrrProvider();
        IbpExProvider ibp = new IbpExProvider();
        RrrProvider rrr = new RrrProvider();
        try (NDManager m = SharedEngine.get().manager().newSubManager(); Network net = network(24)) {
            Batch batch = RegularizerTestKit.batch(m, 24);
            TrainingContext ctx = context(m, 1, 3, 0);
            Regularizer combined = both.create(both.parameters().bind("ibp-ex-rrr", Map.of("lambda-rrr", "2.5")));
            double ibpPart = ibp.create(ibp.parameters().bind("ibp-ex", Map.of("epsilon", "0.15")))
                    .penalty(net, batch, ctx).getDouble();
            double rrrPart = rrr.create(rrr.parameters().bind("rrr", Map.of("lambda", "2.5", "weight-l2", "0")))
                    .penalty(net, batch, ctx).getDouble();
            assertTrue(ibpPart > 0 && rrrPart > 0);
            assertEquals(ibpPart + rrrPart, combined.penalty(net, batch, ctx).getDouble(), 1e-12);
            assertEquals(0.75, combined.taskLossWeight(ctx), 1e-15);
        }
    }

    // ---------------------------------------------------------------- PGD-Ex

    @Test
    void pgdExAttackStaysInTheMaskedBoxAndIncreasesTheLoss() {
        double eps = 0.5;
        try (NDManager m = SharedEngine.get().manager().newSubManager(); Network net = network(25)) {
            Batch batch = RegularizerTestKit.batch(m, 25);
            NDArray adv = PgdExProvider.attack(net, batch.inputs(), batch.masks(), batch.labels(), eps, 7);
            double[] x = batch.inputs().toDoubleArray();
            double[] mask = batch.masks().toDoubleArray();
            double[] a = adv.toDoubleArray();
            boolean moved = false;
            for (int i = 0; i < x.length; i++) {
                double bound = eps * mask[i] + 1e-12;
                assertTrue(Math.abs(a[i] - x[i]) <= bound, "feature " + i + " left the box: " + a[i] + " vs " + x[i]);
                moved |= a[i] != x[i];
            }
            assertTrue(moved, "the attack did not move");
            double before = dev.mlx.api.train.Losses.perSampleCrossEntropy(net.logits(batch.inputs()), batch.labels())
                    .sum().getDouble();
            double after = dev.mlx.api.train.Losses.perSampleCrossEntropy(net.logits(adv), batch.labels())
                    .sum().getDouble();
            assertTrue(after > before, "CE at the adversarial point " + after + " <= CE at x " + before);
            assertTrue(!adv.hasGradient(), "the adversarial point must be a constant");
        }
    }

    @Test
    void pgdExChunkingDoesNotChangeThePenalty() {
        assertChunkingInvariant(new PgdExProvider(), Map.of("epsilon", "0.3", "steps", "4"));
    }

    // ---------------------------------------------------------------- CoRM

    @Test
    void cormWithoutNoiseIsTheCleanCrossEntropy() {
        CormProvider provider = new CormProvider();
        try (NDManager m = SharedEngine.get().manager().newSubManager(); Network net = network(26)) {
            Batch batch = RegularizerTestKit.batch(m, 26);
            double clean = dev.mlx.api.train.Losses.perSampleCrossEntropy(net.logits(batch.inputs()), batch.labels())
                    .mean().getDouble();
            double penalty = provider.create(provider.parameters().bind("corm", Map.of("sigma", "0", "lambda", "2")))
                    .penalty(net, batch, context(m, 0, 1, 7)).getDouble();
            assertEquals(2 * clean, penalty, 1e-12);
            double noisy = provider.create(provider.parameters().defaults()).penalty(net, batch, context(m, 0, 1, 7))
                    .getDouble();
            assertTrue(Math.abs(noisy - clean) > 1e-6, "sigma = 1 left the loss unchanged");
        }
    }

    @Test
    void cormNoiseTouchesOnlyMaskedFeatures() {
        try (NDManager m = SharedEngine.get().manager().newSubManager(); Network net = network(27)) {
            Batch b = RegularizerTestKit.batch(m, 27);
            Batch unmasked = new Batch(b.inputs(), b.labels(), m.zeros(b.masks().getShape(), DataType.FLOAT64));
            CormProvider provider = new CormProvider();
            double clean = dev.mlx.api.train.Losses.perSampleCrossEntropy(net.logits(b.inputs()), b.labels())
                    .mean().getDouble();
            assertEquals(clean, provider.create(provider.parameters().defaults())
                    .penalty(net, unmasked, context(m, 0, 1, 3)).getDouble(), 1e-12);
        }
    }

    @Test
    void cormChunkingDoesNotChangeThePenalty() {
        assertChunkingInvariant(new CormProvider(), Map.of("sigma", "0.7"));
    }

    // ---------------------------------------------------------------- helpers

    private static void assertChunkingInvariant(RegularizerProvider provider, Map<String, String> base) {
        try (NDManager m = SharedEngine.get().manager().newSubManager(); Network net = network(28)) {
            Batch batch = RegularizerTestKit.batch(m, 28);
            double whole = value(provider, base, "0", net, batch, m);
            assertEquals(whole, value(provider, base, "4", net, batch, m), 1e-12);
            for (String chunk : List.of("1", "3")) {
                assertEquals(whole, value(provider, base, chunk, net, batch, m), 1e-12, provider.name() + " chunk " + chunk);
            }
        }
    }

    private static double value(RegularizerProvider provider, Map<String, String> base, String chunk, Network net,
            Batch batch, NDManager m) {
        Map<String, String> raw = new java.util.HashMap<>(base);
        raw.put("internal-batch-size", chunk);
        return provider.create(provider.parameters().bind(provider.name(), raw)).penalty(net, batch, context(m, 0, 1, 9))
                .getDouble();
    }

    /** The batch with the mask of example {@code index} cleared (other examples keep theirs). */
    private static Batch withEmptyMask(NDManager m, Batch b, int index) {
        double[] mask = b.masks().toDoubleArray();
        for (int f = 0; f < 6; f++) {
            mask[index * 6 + f] = 0;
        }
        for (int s = 0; s < 4; s++) {
            if (s != index) {
                mask[s * 6] = 1; // make sure every other example has a masked feature
            }
        }
        return new Batch(b.inputs(), b.labels(), m.create(mask, b.masks().getShape()));
    }

    private static Network network(long seed) {
        return SharedEngine.get().networks().create(RegularizerTestKit.TINY_MLP, SHAPE, seed, Map.of(), DataType.FLOAT64);
    }

    private static TrainingContext context(NDManager m, int epoch, int epochs, long seed) {
        return new TrainingContext(epoch, epochs, 0, 3, seed, m);
    }
}
