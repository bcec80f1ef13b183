package dev.mlx.engine.method;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import dev.mlx.api.data.DataSplit;
import dev.mlx.api.model.Architecture;
import dev.mlx.api.model.LayerSpec;
import dev.mlx.api.param.HyperParameters;
import dev.mlx.api.train.Batch;
import dev.mlx.api.train.Losses;
import dev.mlx.api.train.Regularizer;
import dev.mlx.api.train.RegularizerProvider;
import dev.mlx.api.train.TrainingContext;
import dev.mlx.engine.MlxEngine;
import dev.mlx.engine.nn.Network;
import dev.mlx.engine.nn.Parameter;
import dev.mlx.engine.testkit.RegularizerTestKit;
import dev.mlx.engine.testkit.SharedEngine;
import dev.mlx.engine.testkit.TinyData;
import dev.mlx.engine.train.EpochMetrics;
import dev.mlx.engine.train.Trainer;
import dev.mlx.engine.train.TrainingConfig;
import dev.mlx.engine.train.TrainingListener;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Seeds 003 (marginal density) and 004 (IG-NORM, IG-SUM-NORM, PGD-AT), and input-gradient regularisation. */
class Seed003004Test {
    private static final int[] EXAMPLE_SHAPE = {2, 3};

    static List<RegularizerProvider> providers() {
        return List.of(new InputGradientProvider(), new MarginalDensityProvider(), new IgNormProvider(),
                new IgSumNormProvider(), new PgdAdversarialTrainingProvider());
    }

    /**
     * The whole kit at the defaults, attacks included (eps 0.3, 10 steps, 10 IG points, exact
     * attack). The FD check holds exactly for the PGD methods: the attack point is a function of
     * the parameters only through signs of gradients, the projection and the clip, all locally
     * constant in the parameters, so a central difference with h = 1e-6 sees the Danskin gradient.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("providers")
    void passesTheRegularizerTestKit(RegularizerProvider provider) {
        new RegularizerTestKit(SharedEngine.get()).checkAll(provider);
    }

    /** The kit skips the non-zero check for providers that do not read masks; it must hold anyway. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("providers")
    void penaltyTrainsTheParameters(RegularizerProvider provider) {
        try (NDManager m = engine().manager().newSubManager(); Network net = net64(21)) {
            Batch batch = RegularizerTestKit.batch(m, 3);
            double norm = parameterGradients(net, provider.create(provider.parameters().defaults()), batch, m, 5)
                    .stream().flatMapToDouble(java.util.Arrays::stream).map(Math::abs).sum();
            assertTrue(norm > 1e-6, provider.name() + ": gradient norm " + norm);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("optionVariants")
    void optionVariantsMatchFiniteDifferences(RegularizerProvider provider, Map<String, String> options) {
        HyperParameters p = provider.parameters().bind(provider.name(), options);
        new RegularizerTestKit(SharedEngine.get()).checkParameterGradient(provider, p, 1e-4);
    }

    static List<org.junit.jupiter.params.provider.Arguments> optionVariants() {
        return List.of(
                org.junit.jupiter.params.provider.Arguments.of(new InputGradientProvider(),
                        Map.of("masked", "true", "lambda", "3")),
                org.junit.jupiter.params.provider.Arguments.of(new MarginalDensityProvider(),
                        Map.of("masked", "true", "p", "1")),
                org.junit.jupiter.params.provider.Arguments.of(new MarginalDensityProvider(),
                        Map.of("masked", "true", "p", "2")),
                org.junit.jupiter.params.provider.Arguments.of(new IgNormProvider(),
                        Map.of("attack", "ce", "clamp", "false", "internal-batch-size", "3")),
                org.junit.jupiter.params.provider.Arguments.of(new IgSumNormProvider(),
                        Map.of("attack", "ce", "lambda", "2", "ig-steps", "4")),
                org.junit.jupiter.params.provider.Arguments.of(new PgdAdversarialTrainingProvider(),
                        Map.of("mix", "0.5", "clamp", "false", "epsilon", "0.1")));
    }

    // ---------------------------------------------------------------- input-gradient

    /** Closed form for Linear-ReLU-Linear: dCE_n/dx_n = ((softmax(z_n) - e_y) W2 * 1[h_n > 0]) W1. */
    @Test
    void inputGradientPenaltyEqualsTheClosedForm() {
        try (NDManager m = engine().manager().newSubManager(); Network net = net64(4)) {
            Batch batch = RegularizerTestKit.batch(m, 8);
            NDArray x = batch.inputs().reshape(4, 6);
            NDArray w1 = net.parameters().get(0).array();
            NDArray b1 = net.parameters().get(1).array();
            NDArray w2 = net.parameters().get(2).array();
            NDArray b2 = net.parameters().get(3).array();
            NDArray h = x.matMul(w1.transpose()).add(b1);
            NDArray active = h.gt(0).toType(DataType.FLOAT64, false);
            NDArray z = h.mul(active).matMul(w2.transpose()).add(b2);
            NDArray cot = z.softmax(1).sub(batch.labels().oneHot(3).toType(DataType.FLOAT64, false));
            NDArray g = cot.matMul(w2).mul(active).matMul(w1);
            NDArray mask = batch.masks().reshape(4, 6);
            double whole = g.square().sum().getDouble() / 4;
            double masked = g.mul(mask).square().sum().getDouble() / 4;
            InputGradientProvider provider = new InputGradientProvider();
            double got = value(net, provider, Map.of("lambda", "2.5"), batch, m, 0);
            double gotMasked = value(net, provider, Map.of("lambda", "2.5", "masked", "true"), batch, m, 0);
            assertEquals(2.5 * whole, got, 1e-12 * Math.abs(got));
            assertEquals(2.5 * masked, gotMasked, 1e-12 * Math.abs(gotMasked));
            assertTrue(masked < whole, "the mask must remove part of the gradient");
        }
    }

    @Test
    void maskedPenaltiesAreZeroForAnEmptyMask() {
        try (NDManager m = engine().manager().newSubManager(); Network net = net64(4)) {
            Batch b = RegularizerTestKit.batch(m, 8);
            Batch empty = new Batch(b.inputs(), b.labels(), b.masks().zerosLike());
            assertEquals(0.0, value(net, new InputGradientProvider(), Map.of("masked", "true"), empty, m, 0), 0.0);
            assertEquals(0.0, value(net, new MarginalDensityProvider(), Map.of("masked", "true"), empty, m, 0), 0.0);
            assertEquals(0.0, value(net, new MarginalDensityProvider(), Map.of("masked", "true", "p", "1"), empty, m,
                    0), 0.0);
        }
    }

    // ---------------------------------------------------------------- marginal density (seed 003)

    @Test
    void stableMarginalDensityGradientEqualsTheDirectLogSumExpGradient() {
        try (NDManager m = engine().manager().newSubManager(); Network net = net64(5)) {
            NDArray x = RegularizerTestKit.batch(m, 9).inputs();
            double[] direct = net.inputGradient(x, logits -> logits.exp().sum(new int[] {1}).log())
                    .gradient().toDoubleArray();
            for (long seed : new long[] {0, 1, 77}) {
                // a different class draw per seed: the identity LSE = f_j - log softmax_j holds for every j
                double[] stable = MarginalDensityProvider.densityGradient(net, x, seed).toDoubleArray();
                for (int i = 0; i < direct.length; i++) {
                    assertEquals(direct[i], stable[i], 1e-12, "entry " + i);
                }
            }
            // and the penalty is lambda * mean_b ||g_b||_p of that gradient
            double l2 = 0;
            double l1 = 0;
            for (int b = 0; b < 4; b++) {
                double s = 0;
                for (int f = 0; f < 6; f++) {
                    s += direct[b * 6 + f] * direct[b * 6 + f];
                    l1 += Math.abs(direct[b * 6 + f]);
                }
                l2 += Math.sqrt(s);
            }
            Batch batch = RegularizerTestKit.batch(m, 9);
            MarginalDensityProvider md = new MarginalDensityProvider();
            // sqrt(s + 1e-12) - 1e-6 is within 1e-6 of the norm
            assertEquals(0.5 * l2 / 4, value(net, md, Map.of("lambda", "0.5"), batch, m, 3), 0.5 * 1e-6);
            assertEquals(0.5 * l1 / 4, value(net, md, Map.of("lambda", "0.5", "p", "1"), batch, m, 3), 1e-12);
        }
    }

    @Test
    void stableMarginalDensityStaysFiniteWhereTheNaiveLogSumExpOverflowsInFloat32() {
        try (NDManager m = engine().manager().newSubManager();
                Network net = engine().networks().create(RegularizerTestKit.TINY_MLP, EXAMPLE_SHAPE, 5)) {
            Batch b = RegularizerTestKit.batch(m, 10);
            NDArray x = b.inputs().toType(DataType.FLOAT32, false).mul(3e4f);
            float maxLogit = net.logits(x).abs().max().getFloat();
            assertTrue(maxLogit > 1e3, "logits must be large enough to overflow exp in float32: " + maxLogit);
            NDArray naive = net.inputGradient(x, logits -> logits.exp().sum(new int[] {1}).log()).gradient();
            assertTrue(!allFinite(naive), "the naive form was expected to overflow");
            NDArray stable = MarginalDensityProvider.densityGradient(net, x, 1);
            assertTrue(allFinite(stable), "stable gradient not finite");
            // the stable gradient is the softmax-weighted mixture of the class gradients, bounded by them
            assertTrue(stable.abs().max().getFloat() < 100, "implausible stable gradient");
            Batch big = new Batch(x, b.labels(), b.masks().toType(DataType.FLOAT32, false));
            MarginalDensityProvider md = new MarginalDensityProvider();
            double penalty = md.create(md.parameters().defaults()).penalty(net, big, ctx(m, 1)).getFloat();
            assertTrue(Double.isFinite(penalty) && penalty > 0, "penalty " + penalty);
        }
    }

    // ---------------------------------------------------------------- integrated gradients (seed 004)

    /**
     * Completeness: sum_features IG_b(x, x') -> CE(x'_b) - CE(x_b) as M grows (right Riemann sum,
     * error O(1/M); the ReLU kinks make the per-example error uneven, so the M = 400 bound is on the
     * batch total and the per-example bound is checked at M = 1600).
     */
    @Test
    void integratedGradientsAreComplete() {
        try (NDManager m = engine().manager().newSubManager(); Network net = net64(6)) {
            Batch b = RegularizerTestKit.batch(m, 12);
            NDArray x = b.inputs();
            NDArray xAdv = RegularizerTestKit.batch(m, 13).inputs();
            double[] ceDiff = Losses.perSampleCrossEntropy(net.logits(xAdv), b.labels())
                    .sub(Losses.perSampleCrossEntropy(net.logits(x), b.labels())).toDoubleArray();
            double[] errors = new double[3];
            int[] ms = {5, 400, 1600};
            for (int s = 0; s < ms.length; s++) {
                double[] sums = IgNormProvider.integratedGradients(net, x, xAdv, b.labels(), ms[s], 0)
                        .reshape(4, 6).sum(new int[] {1}).toDoubleArray();
                double error = 0;
                double total = 0;
                double worst = 0;
                for (int i = 0; i < 4; i++) {
                    assertTrue(Math.abs(ceDiff[i]) > 1e-2, "test needs a visible loss difference: " + ceDiff[i]);
                    error += Math.abs(sums[i] - ceDiff[i]);
                    total += Math.abs(ceDiff[i]);
                    worst = Math.max(worst, Math.abs(sums[i] - ceDiff[i]) / Math.abs(ceDiff[i]));
                }
                errors[s] = error / total;
                if (ms[s] == 1600) {
                    assertTrue(worst < 1e-3, "M = 1600 worst per-example relative error " + worst);
                }
            }
            assertTrue(errors[1] < 1e-3, "M = 400 relative completeness error " + errors[1]);
            assertTrue(errors[0] > 20 * errors[1], "error must shrink like 1/M: " + java.util.Arrays.toString(errors));
            assertTrue(errors[2] < errors[1], "error must shrink like 1/M: " + java.util.Arrays.toString(errors));
        }
    }

    @Test
    void integratedGradientsDoNotDependOnThePointChunking() {
        try (NDManager m = engine().manager().newSubManager(); Network net = net64(6)) {
            Batch b = RegularizerTestKit.batch(m, 12);
            NDArray xAdv = RegularizerTestKit.batch(m, 14).inputs();
            double[] all = IgNormProvider.integratedGradients(net, b.inputs(), xAdv, b.labels(), 7, 0).toDoubleArray();
            for (int p : new int[] {1, 2, 3, 7}) {
                double[] chunked = IgNormProvider.integratedGradients(net, b.inputs(), xAdv, b.labels(), 7, p)
                        .toDoubleArray();
                org.junit.jupiter.api.Assertions.assertArrayEquals(all, chunked, 1e-13, "points per chunk " + p);
            }
        }
    }

    /** The penalty (attack included) is the same whatever the internal batch size. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("attackProviders")
    void penaltyDoesNotDependOnTheInternalBatchSize(RegularizerProvider provider) {
        try (NDManager m = engine().manager().newSubManager(); Network net = net64(7)) {
            Batch batch = unitBatch(m, 15);
            Map<String, String> base = new HashMap<>(Map.of("steps", "3"));
            if (!(provider instanceof PgdAdversarialTrainingProvider)) {
                base.put("ig-steps", "5");
            }
            double reference = value(net, provider, with(base, "internal-batch-size", "0"), batch, m, 9);
            assertTrue(reference > 0);
            for (String size : new String[] {"1", "2", "3", "7", "11", "1000"}) {
                double chunked = value(net, provider, with(base, "internal-batch-size", size), batch, m, 9);
                assertEquals(reference, chunked, 1e-12 * reference, "internal-batch-size " + size);
            }
        }
    }

    static List<RegularizerProvider> attackProviders() {
        return List.of(new IgNormProvider(), new IgSumNormProvider(), new PgdAdversarialTrainingProvider());
    }

    /**
     * The exact attacks' ascent direction is the true input gradient of their objective
     * sum_b [c * CE(x'_b) + lambda * ||IG_b(x, x')||_1] (Hessian-vector products), in one pass
     * (all 6 path points in a chunk) and in two passes (chunks of 4 or 1 points).
     */
    @ParameterizedTest(name = "ce weight {0}, points per chunk {1}")
    @org.junit.jupiter.params.provider.CsvSource({"0, 0", "0.5, 4", "1, 1", "1, 6"})
    void exactAttackDirectionMatchesFiniteDifferencesOfTheObjective(double ceWeight, int pointsPerChunk) {
        try (NDManager m = engine().manager().newSubManager(); Network net = net64(8)) {
            Batch b = unitBatch(m, 16);
            NDArray x = b.inputs();
            NDArray xAdv = unitBatch(m, 17).inputs();
            double[] analytic = IgNormProvider.attackDirection(net, x, xAdv, b.labels(), 6, pointsPerChunk, ceWeight,
                    1.3).toDoubleArray();
            double[] point = xAdv.toDoubleArray();
            double h = 1e-6;
            double norm = 0;
            for (int i = 0; i < point.length; i++) {
                double[] plus = point.clone();
                plus[i] += h;
                double[] minus = point.clone();
                minus[i] -= h;
                double fd = (objective(net, m, x, plus, b.labels(), ceWeight)
                        - objective(net, m, x, minus, b.labels(), ceWeight)) / (2 * h);
                assertEquals(fd, analytic[i], 1e-6 * Math.max(1, Math.abs(fd)), "d objective / d x'[" + i + "]");
                norm += Math.abs(fd);
            }
            assertTrue(norm > 1e-2, "degenerate test: " + norm);
        }
    }

    private static double objective(Network net, NDManager m, NDArray x, double[] xAdv, NDArray labels,
            double ceWeight) {
        return IgNormProvider.objective(net, x, m.create(xAdv, x.getShape()), labels, 6, 0, ceWeight, 1.3)
                .getDouble();
    }

    // ---------------------------------------------------------------- PGD

    @Test
    void pgdPointsStayInTheBallAndInTheUnitBox() {
        try (NDManager m = engine().manager().newSubManager(); Network net = net64(9)) {
            Batch b = unitBatch(m, 18);
            NDArray x = b.inputs();
            for (boolean clamp : new boolean[] {true, false}) {
                var pgd = new SignPgd(0.3, 10, 0.04, clamp, true);
                NDArray xAdv = pgd.run(x, null, b.labels(), 3, 0, ceDirection(net));
                double dist = xAdv.sub(x).abs().max().getDouble();
                assertTrue(dist <= 0.3 + 1e-12, "left the ball: " + dist);
                assertTrue(dist > 0.29, "the attack should reach the boundary of the ball: " + dist);
                double lo = xAdv.min().getDouble();
                double hi = xAdv.max().getDouble();
                if (clamp) {
                    assertTrue(lo >= 0 && hi <= 1, "left [0, 1]: " + lo + " .. " + hi);
                } else {
                    assertTrue(lo < 0 || hi > 1, "without the clamp some points leave [0, 1]: " + lo + " .. " + hi);
                }
                assertTrue(!xAdv.hasGradient(), "the attack point must be detached");
            }
        }
    }

    @Test
    void pgdIncreasesTheLossItAscends() {
        try (NDManager m = engine().manager().newSubManager(); Network net = net64(10)) {
            Batch b = unitBatch(m, 19);
            NDArray x = b.inputs();
            NDArray y = b.labels();
            var start = new SignPgd(0.3, 0, 0.04, true, true);
            var pgd = new SignPgd(0.3, 10, 0.04, true, true);
            // CE ascent (pgd-at)
            double ceStart = Losses.perSampleCrossEntropy(net.logits(start.run(x, null, y, 4, 0, ceDirection(net))), y)
                    .sum().getDouble();
            double ceEnd = Losses.perSampleCrossEntropy(net.logits(pgd.run(x, null, y, 4, 0, ceDirection(net))), y)
                    .sum().getDouble();
            assertTrue(ceEnd > ceStart + 1e-3, "PGD did not increase CE: " + ceStart + " -> " + ceEnd);
            // exact ascent on the IG norm (ig-norm)
            SignPgd.AscentDirection igDirection =
                    (xs, ys, ps) -> IgNormProvider.attackDirection(net, xs, ps, ys, 5, 0, 0, 1);
            double rStart = IgNormProvider.objective(net, x, start.run(x, null, y, 4, 0, igDirection), y, 5, 0, 0, 1)
                    .getDouble();
            double rEnd = IgNormProvider.objective(net, x, pgd.run(x, null, y, 4, 0, igDirection), y, 5, 0, 0, 1)
                    .getDouble();
            assertTrue(rEnd > rStart + 1e-3, "PGD did not increase ||IG||_1: " + rStart + " -> " + rEnd);
        }
    }

    // ---------------------------------------------------------------- objectives and weights

    @Test
    void taskLossWeightsAndMixFollowTheObjectives() {
        try (NDManager m = engine().manager().newSubManager(); Network net = net64(11)) {
            Batch batch = unitBatch(m, 20);
            TrainingContext c = ctx(m, 2);
            IgNormProvider ig = new IgNormProvider();
            IgSumNormProvider sum = new IgSumNormProvider();
            PgdAdversarialTrainingProvider at = new PgdAdversarialTrainingProvider();
            assertEquals(1.0, ig.create(ig.parameters().defaults()).taskLossWeight(c));
            assertEquals(0.0, sum.create(sum.parameters().defaults()).taskLossWeight(c));
            assertEquals(0.0, at.create(at.parameters().defaults()).taskLossWeight(c));
            assertEquals(0.75, at.create(at.parameters().bind("pgd-at", Map.of("mix", "0.25"))).taskLossWeight(c));
            double full = value(net, at, Map.of(), batch, m, 2);
            double quarter = value(net, at, Map.of("mix", "0.25"), batch, m, 2);
            assertEquals(0.25 * full, quarter, 1e-12 * full);
            // IG-SUM-NORM with lambda = 0 is PGD training: same attack (exact ascent on CE), same CE(x')
            double sumNoIg = value(net, sum, Map.of("lambda", "0"), batch, m, 2);
            assertEquals(full, sumNoIg, 1e-12 * full);
            // IG-NORM is linear in lambda (the attack maximises R alone, whatever lambda)
            double ig1 = value(net, ig, Map.of("lambda", "1"), batch, m, 2);
            double ig3 = value(net, ig, Map.of("lambda", "3"), batch, m, 2);
            assertEquals(3 * ig1, ig3, 1e-12 * ig3);
            // and IG-SUM-NORM adds lambda * R to the CE at its own attack point, so it exceeds PGD's CE
            assertTrue(value(net, sum, Map.of("lambda", "1"), batch, m, 2) > full);
        }
    }

    /**
     * Float32 end to end through the engine's trainer (gradient collector, step scope, Adam): two
     * epochs on small decoy images, finite, the penalty reported and the task loss going down.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("providers")
    void trainsInFloat32ThroughTheTrainer(RegularizerProvider provider) {
        Architecture mlp = new Architecture(List.of(new LayerSpec.Flatten(), new LayerSpec.Linear(64, 16),
                new LayerSpec.Relu(), new LayerSpec.Linear(16, 3)));
        DataSplit train = TinyData.decoy(200, 8, 3, false, 1);
        try (Network net = engine().networks().create(mlp, new int[] {1, 8, 8}, 3)) {
            List<EpochMetrics> history = new Trainer(new TrainingConfig(2, 50, 0.01, 0, 3)).train(net, train, null,
                    provider.create(provider.parameters().defaults()), new TrainingListener() {});
            EpochMetrics first = history.get(0);
            EpochMetrics last = history.get(1);
            assertTrue(Double.isFinite(last.penalty()) && last.penalty() > 0, provider.name() + ": " + last);
            double objective = first.taskLoss() + first.penalty();
            double objectiveLast = last.taskLoss() + last.penalty();
            assertTrue(Double.isFinite(objectiveLast), provider.name() + ": " + last);
            assertTrue(last.trainAccuracy() > 0.4 || objectiveLast < objective,
                    provider.name() + ": no progress " + first + " -> " + last);
        }
    }

    @Test
    void defaultsFollowTheSpec() {
        HyperParameters ig = new IgNormProvider().parameters().defaults();
        HyperParameters sum = new IgSumNormProvider().parameters().defaults();
        HyperParameters at = new PgdAdversarialTrainingProvider().parameters().defaults();
        assertEquals(1.0, ig.getDouble("lambda"));
        assertEquals(0.1, sum.getDouble("lambda"));
        for (HyperParameters p : List.of(ig, sum, at)) {
            assertEquals(0.3, p.getDouble("epsilon"));
            assertTrue(p.getInt("steps") * p.getDouble("step-size") >= p.getDouble("epsilon"),
                    "the attack must be able to cross the ball");
            assertTrue(p.getBoolean("clamp"));
        }
        assertEquals(1.0, at.getDouble("mix"));
        assertEquals(2, new MarginalDensityProvider().parameters().defaults().getInt("p"));
    }

    // ---------------------------------------------------------------- helpers

    private static MlxEngine engine() {
        return SharedEngine.get();
    }

    private static Network net64(long seed) {
        return engine().networks().create(RegularizerTestKit.TINY_MLP, EXAMPLE_SHAPE, seed, Map.of(), DataType.FLOAT64);
    }

    private static SignPgd.AscentDirection ceDirection(Network net) {
        return (xs, ys, ps) -> net.inputGradient(ps, logits -> Losses.perSampleCrossEntropy(logits, ys)).gradient();
    }

    /** A float64 batch of 4 in [0, 1] (pixel-like, so the clamp keeps the ball around x). */
    private static Batch unitBatch(NDManager m, long seed) {
        Batch b = RegularizerTestKit.batch(m, seed);
        return new Batch(b.inputs().add(1).div(2), b.labels(), b.masks());
    }

    private static Map<String, String> with(Map<String, String> base, String key, String value) {
        Map<String, String> out = new HashMap<>(base);
        out.put(key, value);
        return out;
    }

    private static TrainingContext ctx(NDManager m, long seed) {
        return new TrainingContext(0, 1, 0, 3, seed, m);
    }

    private static double value(Network net, RegularizerProvider provider, Map<String, String> options, Batch batch,
            NDManager m, long seed) {
        Regularizer r = provider.create(provider.parameters().bind(provider.name(), options));
        try (NDManager step = m.newSubManager()) {
            return r.penalty(net, batch, ctx(step, seed)).toType(DataType.FLOAT64, false).getDouble();
        }
    }

    private static boolean allFinite(NDArray a) {
        for (float v : a.toType(DataType.FLOAT32, false).toFloatArray()) {
            if (!Float.isFinite(v)) {
                return false;
            }
        }
        return true;
    }

    private static List<double[]> parameterGradients(Network net, Regularizer r, Batch batch, NDManager m, long seed) {
        try (NDManager step = m.newSubManager()) {
            try (GradientCollector collector = engine().engine().newGradientCollector()) {
                collector.backward(r.penalty(net, batch, ctx(step, seed)));
            }
            List<double[]> grads = new java.util.ArrayList<>();
            for (Parameter p : net.parameters()) {
                NDArray g = p.array().getGradient();
                try (NDArray g64 = g.toType(DataType.FLOAT64, false)) {
                    grads.add(g64.toDoubleArray());
                }
                g.close();
                ai.djl.pytorch.jni.JniUtils.zeroGrad((ai.djl.pytorch.engine.PtNDArray) p.array());
            }
            return grads;
        }
    }
}
