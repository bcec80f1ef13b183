package dev.mlx.engine.eval;

import static dev.mlx.engine.eval.LinearFixture.evaluate;
import static dev.mlx.engine.eval.LinearFixture.flattenLinear;
import static dev.mlx.engine.eval.LinearFixture.split;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.mlx.api.data.DataSplit;
import dev.mlx.api.error.ErrorKind;
import dev.mlx.api.error.MlxException;
import dev.mlx.api.metric.EvaluationContext;
import dev.mlx.api.metric.GroupAccuracy;
import dev.mlx.api.metric.MetricProvider;
import dev.mlx.api.metric.MetricResult;
import dev.mlx.api.model.Architecture;
import dev.mlx.api.model.LayerSpec;
import dev.mlx.engine.MlxEngine;
import dev.mlx.engine.nn.Network;
import dev.mlx.engine.testkit.SharedEngine;
import dev.mlx.engine.testkit.TinyData;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The built-in metrics on cases computed by hand: a linear model {@code Flatten -> Linear} (no ReLU),
 * whose cross-entropy input gradient is {@code W^T (softmax(Wx + b) - onehot(y))} and whose interval
 * bounds have a closed form, and a model whose predictions are fixed by construction for the group
 * accuracies.
 */
class MetricsTest {
    private static final double TOL = 2e-6;
    private final MlxEngine engine = SharedEngine.get();

    // ---------------------------------------------------------------- helpers

    private static double sigmoid(double t) {
        return 1 / (1 + Math.exp(-t));
    }

    /**
     * The width {@code eta_U - eta_L} of the certified cross-entropy input-gradient interval of a linear
     * model over {@code [x - eps*w, x + eps*w]}, written out (spec §3.2-3.4 with one Linear layer):
     * {@code z = Wx + b}, {@code r_z = |W| (eps*w)}; {@code p_L[i] = softmax(v)_i} with {@code v_i = z_i - r_i},
     * {@code v_j = z_j + r_j}, {@code p_U[i]} the other way round; width {@code = (p_U - p_L) |W|}.
     */
    private static double[] handWidth(double[][] w, double[] b, double[] x, double[] weight, double eps) {
        int out = w.length;
        int in = x.length;
        double[] z = new double[out];
        double[] r = new double[out];
        for (int o = 0; o < out; o++) {
            z[o] = b[o];
            for (int i = 0; i < in; i++) {
                z[o] += w[o][i] * x[i];
                r[o] += Math.abs(w[o][i]) * eps * weight[i];
            }
        }
        double[] dp = new double[out];
        for (int c = 0; c < out; c++) {
            dp[c] = ownSoftmax(z, r, c, -1) - ownSoftmax(z, r, c, +1);
            dp[c] = -dp[c]; // p_U - p_L
        }
        double[] width = new double[in];
        for (int i = 0; i < in; i++) {
            for (int c = 0; c < out; c++) {
                width[i] += dp[c] * Math.abs(w[c][i]);
            }
        }
        return width;
    }

    /** softmax at class c of the logits with own logit z_c + sign*r_c and the others z_j - sign*r_j. */
    private static double ownSoftmax(double[] z, double[] r, int c, int sign) {
        double own = z[c] + sign * r[c];
        double denominator = 0;
        for (int j = 0; j < z.length; j++) {
            double v = j == c ? own : z[j] - sign * r[j];
            denominator += Math.exp(v - own);
        }
        return 1 / denominator;
    }

    // ---------------------------------------------------------------- fragility

    @Test
    void fragilityOfADiagonalLinearModelAtTheOriginIsTanh() {
        // W = diag(2, 1), b = 0, x = 0, mask on feature 0. Masked box: r_z = (2 eps, 0), so for both classes
        // p_U - p_L = sigmoid(2 eps) - sigmoid(-2 eps) = tanh(eps), and the width is tanh(eps) * (|W_00|, |W_11|)
        // = (2 tanh(eps), tanh(eps)); weighted by m: kappa_m = 2 tanh(eps). Core box (1 - m = (0, 1)):
        // r_z = (0, eps), p_U - p_L = tanh(eps / 2), width = (2, 1) tanh(eps / 2), weighted: kappa_core = tanh(eps/2).
        double eps = 0.1;
        try (Network net = flattenLinear(new double[][] {{2, 0}, {0, 1}}, new double[] {0, 0})) {
            DataSplit data = split(new double[][] {{0, 0}}, new double[][] {{1, 0}}, new int[] {0}, new int[] {0},
                    2, 1);
            MetricResult r = evaluate(new FragilityMetricProvider(), Map.of("epsilon", "0.1"), net, data, 10);
            assertEquals(2 * Math.tanh(eps), r.value("kappa-m"), TOL, r::toString);
            assertEquals(2 * Math.tanh(eps), r.value("kappa-m-mean"), TOL, "one masked entry");
            assertEquals(Math.tanh(eps / 2), r.value("kappa-core"), TOL, r::toString);
            assertEquals(Math.tanh(eps / 2), r.value("kappa-core-mean"), TOL);
            assertEquals(2 * Math.tanh(eps) / Math.tanh(eps / 2), r.value("ratio"), 1e-4);
            assertEquals(0.1, r.value("epsilon"), 0);
            // eta at class 0 (label 0): dL/dz in [p_L - 1, p_U - 1] x [p_L, p_U]; feature 0's eta = 2 * (dL/dz)_0
            double pl = sigmoid(-2 * eps);
            double pu = sigmoid(2 * eps);
            assertEquals(2 * (pl - 1), r.value("eta-m-lower-min"), TOL);
            assertEquals(2 * (pu - 1) < 0 ? 0 : 2 * (pu - 1), r.value("eta-m-upper-max"), TOL,
                    "eta_U * m is negative on feature 0 and 0 elsewhere");
        }
    }

    @Test
    void fragilityOfALinearModelMatchesTheClosedForm() {
        double[][] w = {{0.5, -1.0, 0.25}, {2.0, 0.3, -0.7}, {-0.4, 0.8, 1.5}};
        double[] b = {0.1, -0.2, 0.05};
        double eps = 0.3;
        SplittableRandom random = new SplittableRandom(11);
        int n = 7;
        double[][] x = new double[n][3];
        double[][] m = new double[n][3];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            for (int f = 0; f < 3; f++) {
                x[i][f] = random.nextDouble() * 2 - 1;
                m[i][f] = i == 3 ? 0 : (random.nextDouble() < 0.5 ? 1 : (f == 2 ? 0.5 : 0)); // a soft entry, an empty row
            }
            y[i] = random.nextInt(3);
        }
        double maxM = 0;
        double sumM = 0;
        int countM = 0;
        double maxCore = 0;
        double sumCore = 0;
        int countCore = 0;
        for (int i = 0; i < n; i++) {
            double[] core = new double[3];
            for (int f = 0; f < 3; f++) {
                core[f] = 1 - m[i][f];
            }
            double[] wm = handWidth(w, b, x[i], m[i], eps);
            double[] wc = handWidth(w, b, x[i], core, eps);
            for (int f = 0; f < 3; f++) {
                maxM = Math.max(maxM, wm[f] * m[i][f]);
                sumM += wm[f] * m[i][f];
                countM += m[i][f] > 0 ? 1 : 0;
                maxCore = Math.max(maxCore, wc[f] * core[f]);
                sumCore += wc[f] * core[f];
                countCore += core[f] > 0 ? 1 : 0;
            }
        }
        assertTrue(maxM > 0.01 && maxCore > 0.01, "a non-trivial case");
        try (Network net = flattenLinear(w, b)) {
            DataSplit data = split(x, m, y, new int[n], 3, 1);
            for (int batch : new int[] {1, 3, 100}) {
                MetricResult r = evaluate(new FragilityMetricProvider(), Map.of("epsilon", "0.3"), net, data, batch);
                assertEquals(maxM, r.value("kappa-m"), TOL, () -> "batch " + batch + ": " + r);
                assertEquals(sumM / countM, r.value("kappa-m-mean"), TOL, "mean over the masked entries");
                assertEquals(maxCore, r.value("kappa-core"), TOL);
                assertEquals(sumCore / countCore, r.value("kappa-core-mean"), TOL);
                assertEquals(maxM / maxCore, r.value("ratio"), 1e-5);
            }
        }
    }

    @Test
    void fragilityIsZeroWhereTheMaskIsZero() {
        double[][] w = {{1.0, -2.0}, {0.5, 3.0}};
        try (Network net = flattenLinear(w, new double[] {0.1, -0.2})) {
            DataSplit unmasked = split(new double[][] {{0.3, -0.4}, {1, 2}}, new double[][] {{0, 0}, {0, 0}},
                    new int[] {0, 1}, new int[] {0, 0}, 2, 1);
            MetricResult r = evaluate(new FragilityMetricProvider(), Map.of(), net, unmasked, 10);
            assertEquals(0.0, r.value("kappa-m"), 0, "no masked feature: nothing can move, nothing is weighted");
            assertEquals(0.0, r.value("kappa-m-mean"), 0, "an empty mask gives 0, not NaN");
            assertEquals(0.0, r.value("eta-m-lower-min"), 0);
            assertEquals(0.0, r.value("eta-m-upper-max"), 0);
            assertTrue(r.value("kappa-core") > 0, "the core box (every feature) still moves the gradient: " + r);
            assertEquals(0.0, r.value("ratio"), 0);
            assertEquals(0.1, r.value("epsilon"), 0, "the default is Decoy-MNIST's test_epsilon");

            MetricResult still = evaluate(new FragilityMetricProvider(), Map.of("epsilon", "0"), net, unmasked, 10);
            assertEquals(0.0, still.value("kappa-core"), 0, "a zero radius certifies a zero width");
            assertTrue(Double.isNaN(still.value("ratio")), "0 / 0 is reported as NaN");
        }
    }

    @Test
    void fragilityRefusesAModelWithoutIntervalBounds() {
        // Every built-in layer supports intervals; a Model that lacks the capability is refused with a user error.
        try (Network net = flattenLinear(new double[][] {{1, 0}, {0, 1}}, new double[] {0, 0});
                NDManager manager = engine.manager().newSubManager()) {
            dev.mlx.api.train.Model noBounds = new dev.mlx.api.train.Model() {
                public ai.djl.ndarray.NDArray logits(ai.djl.ndarray.NDArray inputs) {
                    return net.logits(inputs);
                }

                public dev.mlx.api.train.InputGradient inputGradient(ai.djl.ndarray.NDArray inputs,
                        java.util.function.UnaryOperator<ai.djl.ndarray.NDArray> objective) {
                    return net.inputGradient(inputs, objective);
                }

                public ai.djl.ndarray.NDArray gradient(ai.djl.ndarray.NDArray inputs,
                        java.util.function.UnaryOperator<ai.djl.ndarray.NDArray> function) {
                    return net.gradient(inputs, function);
                }

                public dev.mlx.api.train.IntervalBounds intervalBounds() {
                    throw new dev.mlx.api.error.UnsupportedCapabilityException("no bounds through layer 3 (Attention)");
                }

                public List<ai.djl.ndarray.NDArray> weights() {
                    return net.weights();
                }
            };
            DataSplit data = split(new double[][] {{0, 0}}, new double[][] {{1, 0}}, new int[] {0}, new int[] {0},
                    2, 1);
            MlxException e = assertThrows(MlxException.class, () -> new FragilityMetricProvider()
                    .create(new FragilityMetricProvider().parameters().defaults())
                    .evaluate(noBounds, data, new EvaluationContext(manager, 4, 0)));
            assertEquals(ErrorKind.USER, e.kind());
            assertTrue(e.getMessage().contains("Attention"), e.getMessage());
            // The sampled metric needs no bounds.
            MetricResult r = new EmpiricalFragilityMetricProvider()
                    .create(new EmpiricalFragilityMetricProvider().parameters().defaults())
                    .evaluate(noBounds, data, new EvaluationContext(manager, 4, 0));
            assertTrue(r.value("delta-m") > 0, r::toString);
        }
    }

    @Test
    void sampledChangesStayWithinTheCertifiedWidthOnAReluNetwork() {
        DataSplit data = TinyData.decoy(24, 6, 3, true, 5);
        Architecture mlp = new Architecture(List.of(new LayerSpec.Flatten(), new LayerSpec.Linear(36, 16),
                new LayerSpec.Relu(), new LayerSpec.Linear(16, 3)));
        try (Network net = engine.networks().create(mlp, new int[] {1, 6, 6}, 3)) {
            Map<String, String> eps = Map.of("epsilon", "0.5");
            MetricResult certified = evaluate(new FragilityMetricProvider(), eps, net, data, 10);
            MetricResult sampled = evaluate(new EmpiricalFragilityMetricProvider(),
                    Map.of("epsilon", "0.5", "samples", "8"), net, data, 10);
            assertTrue(sampled.value("delta-m") > 0 && sampled.value("delta-core") > 0, sampled::toString);
            assertTrue(sampled.value("delta-m") <= certified.value("kappa-m") + 1e-6,
                    "sampled " + sampled + " vs certified " + certified);
            assertTrue(sampled.value("delta-core") <= certified.value("kappa-core") + 1e-6);
            assertTrue(sampled.value("delta-m-mean") <= certified.value("kappa-m-mean") + 1e-6);
            assertTrue(sampled.value("delta-core-mean") <= certified.value("kappa-core-mean") + 1e-6);
            assertEquals(8.0, sampled.value("samples"), 0);

            // The draws are per example: the batch size does not change the values; the seed does.
            MetricResult other = evaluate(new EmpiricalFragilityMetricProvider(),
                    Map.of("epsilon", "0.5", "samples", "8"), net, data, 7);
            for (String key : sampled.values().keySet()) {
                assertEquals(sampled.value(key), other.value(key), 1e-6 * Math.max(1, Math.abs(sampled.value(key))),
                        key);
            }
            try (NDManager manager = engine.manager().newSubManager()) {
                MetricResult reseeded = new EmpiricalFragilityMetricProvider()
                        .create(new EmpiricalFragilityMetricProvider().parameters()
                                .bind("empirical-fragility", Map.of("epsilon", "0.5", "samples", "8")))
                        .evaluate(net, data, new EvaluationContext(manager, 10, 8));
                assertTrue(reseeded.value("delta-m-mean") != sampled.value("delta-m-mean"), "the seed is used");
            }
        }
    }

    @Test
    void empiricalFragilityOfALinearModelIsTheSoftmaxChangeThroughW() {
        // Linear model, one feature masked, one sample: g(x') - g(x) = W^T (p(x') - p(x)), p = softmax(Wx + b).
        // With W = diag(2, 1) and the mask on feature 0 the change on feature 0 is 2 |p_0(x') - p_0(x)|, at most
        // 2 (sigmoid(2 eps) - 1/2) at x = 0 for |u| <= 1: check that bound and that a zero radius gives 0.
        try (Network net = flattenLinear(new double[][] {{2, 0}, {0, 1}}, new double[] {0, 0})) {
            DataSplit data = split(new double[][] {{0, 0}}, new double[][] {{1, 0}}, new int[] {0}, new int[] {0},
                    2, 1);
            MetricResult r = evaluate(new EmpiricalFragilityMetricProvider(), Map.of("epsilon", "0.1", "samples", "1"),
                    net, data, 1);
            assertTrue(r.value("delta-m") > 0 && r.value("delta-m") <= 2 * (sigmoid(0.2) - 0.5) + 1e-6, r::toString);
            assertEquals(r.value("delta-m"), r.value("delta-m-mean"), 1e-7, "one masked entry, one sample");
            MetricResult zero = evaluate(new EmpiricalFragilityMetricProvider(), Map.of("epsilon", "0"), net, data, 1);
            assertEquals(0.0, zero.value("delta-m"), 0);
            assertEquals(0.0, zero.value("delta-core"), 0);
        }
    }

    // ---------------------------------------------------------------- group accuracy

    @Test
    void groupAccuracyOnGroupsWithKnownAccuracies() {
        // W = I, b = 0: the prediction is the larger of the two inputs.
        double[][] x = {
            {1, 0}, {1, 0}, {1, 0}, {0, 1},   // group 0, labels 0: 3 of 4 right
            {0, 1}, {1, 0},                   // group 1, labels 1: 1 of 2 right
            {0, 1}, {0, 1}, {0, 1}, {1, 0}, {1, 0} // group 2, labels 1,1,1,0,0: 5 of 5 right
        };
        int[] y = {0, 0, 0, 0, 1, 1, 1, 1, 1, 0, 0};
        int[] g = {0, 0, 0, 0, 1, 1, 2, 2, 2, 2, 2};
        double[][] m = new double[x.length][2];
        DataSplit data = split(x, m, y, g, 2, 4); // group 3 is empty
        try (Network net = flattenLinear(new double[][] {{1, 0}, {0, 1}}, new double[] {0, 0})) {
            for (int batch : new int[] {1, 4, 64}) {
                MetricResult r = evaluate(new GroupAccuracyMetricProvider(), Map.of(), net, data, batch);
                assertEquals(9.0 / 11, r.value("accuracy"), 1e-12);
                assertEquals(0.75, r.value("group-0"), 1e-12);
                assertEquals(0.5, r.value("group-1"), 1e-12);
                assertEquals(1.0, r.value("group-2"), 1e-12);
                assertTrue(Double.isNaN(r.value("group-3")), "an empty group has no accuracy");
                assertEquals((0.75 + 0.5 + 1.0) / 3, r.value("avg-group-accuracy"), 1e-12, "empty groups skipped");
                assertEquals(0.5, r.value("worst-group-accuracy"), 1e-12);
                assertEquals(1.0, r.value("worst-group"), 0);
                // labels: class 0 has 6 examples (3 + 2 right of the first 4 and the last 2) -> 5/6; class 1: 4 of 5
                assertEquals((5.0 / 6 + 4.0 / 5) / 2, r.value("avg-label-accuracy"), 1e-12);
            }
            try (NDManager manager = engine.manager().newSubManager()) {
                GroupAccuracy trainerView = new GroupEvaluator(3).evaluate(net, data, manager);
                MetricResult r = evaluate(new GroupAccuracyMetricProvider(), Map.of(), net, data, 5);
                assertEquals(trainerView.averageGroupAccuracy(), r.value("avg-group-accuracy"), 0,
                        "the same numbers a training run reports");
                assertEquals(trainerView.worstGroupAccuracy(), r.value("worst-group-accuracy"), 0);
            }
        }
    }

    // ---------------------------------------------------------------- memory, discovery

    @Test
    void metricsLeaveNoArraysBehind() {
        DataSplit data = TinyData.decoy(20, 6, 3, true, 9);
        Architecture mlp = new Architecture(List.of(new LayerSpec.Flatten(), new LayerSpec.Linear(36, 8),
                new LayerSpec.Relu(), new LayerSpec.Linear(8, 3)));
        try (Network net = engine.networks().create(mlp, new int[] {1, 6, 6}, 1)) {
            int before = net.manager().getManagedArrays().size();
            int rootBefore = engine.manager().getManagedArrays().size();
            for (MetricProvider provider : List.of(new GroupAccuracyMetricProvider(), new FragilityMetricProvider(),
                    new EmpiricalFragilityMetricProvider())) {
                try (NDManager manager = engine.manager().newSubManager()) {
                    provider.create(provider.parameters().defaults())
                            .evaluate(net, data, new EvaluationContext(manager, 6, 0));
                    assertEquals(0, manager.getManagedArrays().size(),
                            provider.name() + ": every batch's arrays are freed when the batch ends");
                }
                assertEquals(before, net.manager().getManagedArrays().size(),
                        provider.name() + ": arrays left on the network's manager");
                assertEquals(rootBefore, engine.manager().getManagedArrays().size(),
                        provider.name() + ": arrays left on the root manager");
            }
        }
    }

    @Test
    void theBuiltInMetricsAreDiscoveredByServiceLoader() {
        List<String> names = ServiceLoader.load(MetricProvider.class).stream().map(p -> p.get().name()).sorted()
                .toList();
        assertEquals(List.of("adversarial-accuracy", "attribution-robustness", "empirical-fragility", "feature-leakage",
                "fragility", "group-accuracy", "localisation", "rcs"), names);
        assertEquals(0.1, new FragilityMetricProvider().parameters().defaults().getDouble("epsilon"), 0);
        MlxException bad = assertThrows(MlxException.class,
                () -> new FragilityMetricProvider().parameters().bind("fragility", Map.of("epsilon", "-1")));
        assertTrue(bad.getMessage().contains("epsilon"), bad.getMessage());
    }
}
