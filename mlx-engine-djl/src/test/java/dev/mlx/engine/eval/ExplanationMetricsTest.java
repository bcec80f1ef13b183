package dev.mlx.engine.eval;

import static dev.mlx.engine.eval.LinearFixture.evaluate;
import static dev.mlx.engine.eval.LinearFixture.linear;
import static dev.mlx.engine.eval.LinearFixture.split;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mlx.api.data.DataSplit;
import dev.mlx.api.error.MlxException;
import dev.mlx.api.metric.MetricProvider;
import dev.mlx.api.metric.MetricResult;
import dev.mlx.api.model.Architecture;
import dev.mlx.api.model.LayerSpec;
import dev.mlx.engine.MlxEngine;
import dev.mlx.engine.nn.Network;
import dev.mlx.engine.testkit.SharedEngine;
import dev.mlx.engine.testkit.TinyData;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The explanation and robustness metrics ({@code localisation}, {@code feature-leakage}, {@code rcs},
 * {@code adversarial-accuracy}, {@code attribution-robustness}) on linear models, whose input gradient
 * {@code W[y]}, integrated gradients {@code x * W[y]} and worst-case l-inf perturbation are known in
 * closed form.
 */
class ExplanationMetricsTest {
    private final MlxEngine engine = SharedEngine.get();

    private static Map<String, String> with(Map<String, String> base, String key, String value) {
        Map<String, String> m = new HashMap<>(base);
        m.put(key, value);
        return m;
    }

    // ---------------------------------------------------------------- localisation, leakage

    /** Four features, the first two masked; two examples. */
    private static final double[][] X4 = {{0.5, -0.25, 0.75, 1.0}, {0.2, 0.4, -0.6, 0.8}};
    private static final double[][] M4 = {{1, 1, 0, 0}, {1, 1, 0, 0}};

    @Test
    void localisationOfAModelWhoseWeightsLiveOnTheMaskIsOne() {
        DataSplit data = split(X4, M4, new int[] {0, 1}, new int[] {0, 0}, 2, 1);
        try (Network onMask = linear(new double[][] {{1, -2, 0, 0}, {0.5, 3, 0, 0}}, new double[] {0.1, 0});
                Network offMask = linear(new double[][] {{0, 0, 1, -2}, {0, 0, 0.5, 3}}, new double[] {0.1, 0})) {
            for (String method : new String[] {"input-gradient", "smoothgrad", "integrated-gradients"}) {
                Map<String, String> p = Map.of("attribution", method, "smoothgrad-samples", "4", "ig-steps", "5");
                MetricResult on = evaluate(new LocalisationMetricProvider(), p, onMask, data, 1);
                assertEquals(1.0, on.value("localisation"), 1e-6, method + ": " + on);
                assertEquals(1.0, on.value("localisation-pooled"), 1e-6, method);
                assertEquals(0.5, on.value("mask-area"), 0, "two of four features masked");
                MetricResult off = evaluate(new LocalisationMetricProvider(), p, offMask, data, 2);
                assertEquals(0.0, off.value("localisation"), 1e-6, method + ": " + off);
            }
        }
    }

    @Test
    void localisationOfMixedWeightsIsTheMaskedShareOfW() {
        // Input gradient = W[y]: label 0 -> |(1, -1, 4, 2)|, masked share 2/8; label 1 -> |(0, 3, 1, 0)|, share 3/4.
        // Integrated gradients from 0 = x * W[y]: example 0 |(0.5, 0.25, 3, 2)| -> 0.75/5.75;
        // example 1 |(0, 1.2, 0.6, 0)| -> 1.2/1.8.
        DataSplit data = split(X4, M4, new int[] {0, 1}, new int[] {0, 0}, 2, 1);
        try (Network net = linear(new double[][] {{1, -1, 4, 2}, {0, 3, 1, 0}}, new double[] {0, 0})) {
            MetricResult g = evaluate(new LocalisationMetricProvider(), Map.of(), net, data, 2);
            assertEquals((2.0 / 8 + 3.0 / 4) / 2, g.value("localisation"), 1e-6, g::toString);
            assertEquals((2.0 + 3.0) / (8 + 4), g.value("localisation-pooled"), 1e-6);
            MetricResult ig = evaluate(new LocalisationMetricProvider(), Map.of("attribution", "integrated-gradients",
                    "ig-steps", "3"), net, data, 1);
            assertEquals((0.75 / 5.75 + 1.2 / 1.8) / 2, ig.value("localisation"), 1e-6, ig::toString);
            // With labels (1, 1): explaining the label gives W[1] twice (share 3/4); explaining the prediction
            // (example 0: z = (5.75, 0) -> class 0; example 1: z = (-1, 0.6) -> class 1) gives 2/8 and 3/4.
            DataSplit ones = split(X4, M4, new int[] {1, 1}, new int[] {0, 0}, 2, 1);
            assertEquals(0.75, evaluate(new LocalisationMetricProvider(), Map.of(), net, ones, 2)
                    .value("localisation"), 1e-6);
            MetricResult predicted = evaluate(new LocalisationMetricProvider(), Map.of("explain", "prediction"), net,
                    ones, 2);
            assertEquals((2.0 / 8 + 3.0 / 4) / 2, predicted.value("localisation"), 1e-6, predicted::toString);
        }
    }

    @Test
    void featureLeakageIsTheIntegratedGradientMassOnTheMask() {
        DataSplit data = split(X4, M4, new int[] {0, 1}, new int[] {0, 0}, 2, 1);
        double[][] w = {{1, -1, 4, 2}, {0, 3, 1, 0}};
        try (Network net = linear(w, new double[] {0.3, -0.2})) {
            // IG = x * W[y]: example 0 (0.5, 0.25, 3, 2), example 1 (0, 1.2, -0.6, 0).
            double absMasked = (0.5 + 0.25) + (0 + 1.2);
            double signedMasked = (0.5 + 0.25) + (0 + 1.2);
            double total = (0.5 + 0.25 + 3 + 2) + (0 + 1.2 + 0.6 + 0);
            for (int batch : new int[] {1, 2}) {
                MetricResult r = evaluate(new FeatureLeakageMetricProvider(), Map.of("ig-steps", "4"), net, data, batch);
                assertEquals(absMasked / 2, r.value("leakage"), 1e-6, r::toString);
                assertEquals(signedMasked / 2, r.value("leakage-signed"), 1e-6);
                assertEquals(absMasked / total, r.value("leakage-share"), 1e-6);
            }
            // A negative masked contribution: x = (-0.5, 0, 0, 0) with W[0] = (1, ...) gives IG = -0.5 on the mask.
            DataSplit negative = split(new double[][] {{-0.5, 0, 0, 1}}, new double[][] {{1, 1, 0, 0}}, new int[] {0},
                    new int[] {0}, 2, 1);
            MetricResult r = evaluate(new FeatureLeakageMetricProvider(), Map.of(), net, negative, 1);
            assertEquals(0.5, r.value("leakage"), 1e-6);
            assertEquals(-0.5, r.value("leakage-signed"), 1e-6);
            assertEquals(0.5 / 2.5, r.value("leakage-share"), 1e-6);
        }
    }

    // ---------------------------------------------------------------- adversarial accuracy

    @Test
    void adversarialAccuracyOfALinearBinaryModelIsTheShareWithMarginAboveEpsilonTimesTheL1Norm() {
        // z1 - z0 = w.x + c with w = (1, -2), c = 0.1, so ||w||_1 = 3: an example of label y survives an l-inf
        // attack of radius eps exactly when its margin (2y - 1)(w.x + c) exceeds 3 eps (no clamp).
        double[][] w = {{0, 0}, {1, -2}};
        double[] b = {0, 0.1};
        double eps = 0.1;
        SplittableRandom r = new SplittableRandom(5);
        int n = 40;
        double[][] x = new double[n][2];
        int[] y = new int[n];
        int[] g = new int[n];
        int survivors = 0;
        int clean = 0;
        int[] groupSurvivors = new int[2];
        int[] groupCount = new int[2];
        for (int i = 0; i < n; i++) {
            double margin;
            do {
                x[i][0] = r.nextDouble() * 2 - 1;
                x[i][1] = r.nextDouble() * 2 - 1;
                y[i] = r.nextInt(2);
                margin = (2 * y[i] - 1) * (x[i][0] - 2 * x[i][1] + 0.1);
            } while (Math.abs(margin - 3 * eps) < 0.02 || Math.abs(margin) < 0.02); // stay off the boundaries
            g[i] = i % 2;
            groupCount[g[i]]++;
            if (margin > 0) {
                clean++;
            }
            if (margin > 3 * eps) {
                survivors++;
                groupSurvivors[g[i]]++;
            }
        }
        DataSplit data = split(x, new double[n][2], y, g, 2, 2);
        assertTrue(survivors > 3 && survivors < clean, "a non-trivial case: " + survivors + " of " + clean);
        try (Network net = linear(w, b)) {
            Map<String, String> p = Map.of("epsilon", "0.1", "steps", "10", "clamp", "false");
            for (String start : new String[] {"true", "false"}) {
                MetricResult res = evaluate(new AdversarialAccuracyMetricProvider(), with(p, "random-start", start), net,
                        data, 7);
                assertEquals((double) clean / n, res.value("accuracy"), 1e-12, res::toString);
                assertEquals((double) survivors / n, res.value("adversarial-accuracy"), 1e-12, res::toString);
                assertEquals((double) groupSurvivors[0] / groupCount[0], res.value("adversarial-group-0"), 1e-12);
                assertEquals((double) groupSurvivors[1] / groupCount[1], res.value("adversarial-group-1"), 1e-12);
                assertEquals(Math.min(res.value("adversarial-group-0"), res.value("adversarial-group-1")),
                        res.value("adversarial-worst-group-accuracy"), 0);
            }
            MetricResult none = evaluate(new AdversarialAccuracyMetricProvider(), with(p, "epsilon", "0"), net, data, 7);
            assertEquals(none.value("accuracy"), none.value("adversarial-accuracy"), 0, "no radius, no attack");
        }
    }

    @Test
    void adversarialAccuracyWithClampStaysInThePixelRange() {
        // One feature at 0.05 with w = 1 (label 1, margin 0.05 + c): the attack wants to lower x by 0.1, but the
        // clamp stops it at 0, so with c = 0.01 the example survives with clamp and falls without.
        try (Network net = linear(new double[][] {{0}, {1}}, new double[] {0, 0.01})) {
            DataSplit data = split(new double[][] {{0.05}}, new double[][] {{0}}, new int[] {1}, new int[] {0}, 2, 1);
            Map<String, String> p = Map.of("epsilon", "0.1", "steps", "5", "random-start", "false");
            assertEquals(1.0, evaluate(new AdversarialAccuracyMetricProvider(), p, net, data, 1)
                    .value("adversarial-accuracy"), 0);
            assertEquals(0.0, evaluate(new AdversarialAccuracyMetricProvider(), with(p, "clamp", "false"), net, data, 1)
                    .value("adversarial-accuracy"), 0);
        }
    }

    // ---------------------------------------------------------------- rcs

    @Test
    void rcsMatchesTheNoiseDrawnByHandForALinearModel() {
        double[][] w = {{0.5, -1.0, 2.0}, {-0.5, 1.5, -1.0}};
        double[] b = {0.05, 0};
        SplittableRandom r = new SplittableRandom(9);
        int n = 30;
        double[][] x = new double[n][3];
        double[][] m = new double[n][3];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            for (int f = 0; f < 3; f++) {
                x[i][f] = r.nextDouble();
                m[i][f] = f == 0 || (f == 1 && i % 3 == 0) ? 1 : 0;
            }
            y[i] = r.nextInt(2);
        }
        double sigma = 0.8;
        int samples = 3;
        long[] counts = new long[3];
        for (int i = 0; i < n; i++) {
            counts[0] += predict(w, b, x[i], new double[3], new double[3]) == y[i] ? 1 : 0;
            SplittableRandom stream =
                    new SplittableRandom(EmpiricalFragilityMetricProvider.exampleSeed(LinearFixture.SEED, i));
            for (int s = 0; s < samples; s++) {
                double[] u = new double[3];
                for (int f = 0; f < 3; f++) {
                    u[f] = sigma * stream.nextGaussian();
                }
                double[] core = {1 - m[i][0], 1 - m[i][1], 1 - m[i][2]};
                counts[1] += predict(w, b, x[i], u, m[i]) == y[i] ? 1 : 0;
                counts[2] += predict(w, b, x[i], u, core) == y[i] ? 1 : 0;
            }
        }
        double spur = counts[1] / (double) (n * samples);
        double core = counts[2] / (double) (n * samples);
        double a = (spur + core) / 2;
        assertTrue(spur != core, "a non-trivial case");
        DataSplit data = split(x, m, y, new int[n], 2, 1);
        try (Network net = linear(w, b)) {
            for (int batch : new int[] {4, 100}) {
                MetricResult res = evaluate(new RcsMetricProvider(), Map.of("sigma", "0.8", "samples", "3"), net, data,
                        batch);
                assertEquals(counts[0] / (double) n, res.value("accuracy"), 1e-12);
                assertEquals(spur, res.value("noisy-spurious-accuracy"), 1e-12, res::toString);
                assertEquals(core, res.value("noisy-core-accuracy"), 1e-12, res::toString);
                assertEquals((spur - core) / (2 * Math.min(a, 1 - a)), res.value("rcs"), 1e-12);
            }
        }
    }

    @Test
    void rcsOfAModelThatIgnoresTheMaskIsUnmovedBySpuriousNoise() {
        // Weights only on the core feature: noise on the mask changes no prediction, so the noisy-spurious
        // accuracy is the clean accuracy; without noise both accuracies are clean and rcs is 0.
        double[][] x = {{0.9, 0.2}, {0.1, 0.7}, {0.4, 0.3}, {0.6, 0.9}};
        double[][] m = {{1, 0}, {1, 0}, {1, 0}, {1, 0}};
        int[] y = {0, 1, 1, 0};
        try (Network net = linear(new double[][] {{0, -1}, {0, 1}}, new double[] {0.5, 0})) {
            DataSplit data = split(x, m, y, new int[4], 2, 1);
            MetricResult res = evaluate(new RcsMetricProvider(), Map.of("sigma", "5", "samples", "20"), net, data, 3);
            assertEquals(0.75, res.value("accuracy"), 0, "z1 - z0 = 2 x1 - 0.5 = (-0.1, 0.9, 0.1, 1.3): 3 of 4 right");
            assertEquals(0.75, res.value("noisy-spurious-accuracy"), 0);
            assertTrue(res.value("noisy-core-accuracy") < 0.75, "strong noise on the core feature hurts: " + res);
            assertTrue(res.value("rcs") > 0, "the model relies on the core: " + res);
            MetricResult quiet = evaluate(new RcsMetricProvider(), Map.of("sigma", "0"), net, data, 3);
            assertEquals(0.0, quiet.value("rcs"), 0);
        }
    }

    private static int predict(double[][] w, double[] b, double[] x, double[] u, double[] weight) {
        double[] z = new double[w.length];
        for (int c = 0; c < w.length; c++) {
            z[c] = b[c];
            for (int f = 0; f < x.length; f++) {
                z[c] += w[c][f] * ((float) x[f] + (float) u[f] * (float) weight[f]); // float arithmetic, as the model
            }
        }
        return z[1] > z[0] ? 1 : 0;
    }

    // ---------------------------------------------------------------- attribution robustness

    @Test
    void anAttributionTheAttackCannotMoveKeepsItsRanking() {
        // Input gradient of a linear model = W[y] whatever x: intersection 1 and tau 1 for any radius.
        double[][] w = {{0.1, -2, 0.7, 1.3}, {1, 0.2, -0.4, 3}};
        try (Network net = linear(w, new double[] {0, 0})) {
            DataSplit data = split(X4, new double[2][4], new int[] {0, 1}, new int[] {0, 0}, 2, 1);
            MetricResult r = evaluate(new AttributionRobustnessMetricProvider(), Map.of("attribution", "input-gradient",
                    "epsilon", "0.3", "k", "2", "keep-label", "false"), net, data, 2);
            assertEquals(1.0, r.value("topk-intersection"), 0, r::toString);
            assertEquals(1.0, r.value("kendall-tau"), 1e-12);
        }
    }

    @Test
    void theTopKAttackOnIntegratedGradientsSwapsTheTwoLeadingFeatures() {
        // W[0] = (1, 1, 0), class 1 far below, x = (0.5, 0.4, 0.3): IG = x * W[0] = (0.5, 0.4, 0), top-1 = {0}.
        // The top-k objective -|A_0| / (|A_0| + |A_1|) falls when x0 falls and x1 rises, so PGD ends at the corner
        // (0.4, 0.5, 0.3) (x2 has no gradient): A' = (0.4, 0.5, 0), top-1 = {1}; tau-b over the three features
        // = (2 concordant - 1 discordant) / 3.
        try (Network net = linear(new double[][] {{1, 1, 0}, {0, 0, 0}}, new double[] {0, -10})) {
            DataSplit data = split(new double[][] {{0.5, 0.4, 0.3}}, new double[1][3], new int[] {0}, new int[] {0}, 2,
                    1);
            Map<String, String> p = Map.of("epsilon", "0.1", "steps", "5", "step-size", "0.05", "random-start", "false",
                    "k", "1", "ig-steps", "4");
            MetricResult r = evaluate(new AttributionRobustnessMetricProvider(), p, net, data, 1);
            assertEquals(0.0, r.value("topk-intersection"), 0, r::toString);
            assertEquals(1.0 / 3, r.value("kendall-tau"), 1e-9, r::toString);
            assertEquals(0.0, r.value("changed-prediction"), 0);
            // The l2 objective has zero gradient at x' = x: without a random start the attack cannot move.
            MetricResult l2 = evaluate(new AttributionRobustnessMetricProvider(), with(p, "objective", "l2"), net, data,
                    1);
            assertEquals(1.0, l2.value("topk-intersection"), 0, l2::toString);
            assertEquals(1.0, l2.value("kendall-tau"), 1e-12);
        }
    }

    @Test
    void keepLabelRejectsStepsThatChangeThePrediction() {
        // W[0] = (2, 1, 0), z1 = 1.32: x = (0.5, 0.4, 0.3) has z0 = 1.4 (class 0). The top-k attack moves x0 down
        // and x1 up by 0.05 per step: z0 = 1.35 after one step, 1.3 < 1.32 after two. With keep-label the second
        // step is refused; without it the prediction flips.
        try (Network net = linear(new double[][] {{2, 1, 0}, {0, 0, 0}}, new double[] {0, 1.32})) {
            DataSplit data = split(new double[][] {{0.5, 0.4, 0.3}}, new double[1][3], new int[] {0}, new int[] {0}, 2,
                    1);
            Map<String, String> p = Map.of("epsilon", "0.1", "steps", "5", "step-size", "0.05", "random-start", "false",
                    "k", "1", "ig-steps", "2");
            MetricResult kept = evaluate(new AttributionRobustnessMetricProvider(), p, net, data, 1);
            assertEquals(0.0, kept.value("changed-prediction"), 0, kept::toString);
            MetricResult free = evaluate(new AttributionRobustnessMetricProvider(), with(p, "keep-label", "false"), net,
                    data, 1);
            assertEquals(1.0, free.value("changed-prediction"), 0, free::toString);
        }
    }

    // ---------------------------------------------------------------- batching, memory, parameters

    @Test
    void randomMetricsDoNotDependOnTheBatchSizeAndLeaveNoArrays() {
        DataSplit data = TinyData.decoy(12, 5, 3, true, 4);
        Architecture mlp = new Architecture(List.of(new LayerSpec.Flatten(), new LayerSpec.Linear(25, 8),
                new LayerSpec.Relu(), new LayerSpec.Linear(8, 3)));
        Map<MetricProvider, Map<String, String>> cheap = new java.util.LinkedHashMap<>();
        cheap.put(new RcsMetricProvider(), Map.of("samples", "2"));
        cheap.put(new AdversarialAccuracyMetricProvider(), Map.of("steps", "3"));
        cheap.put(new LocalisationMetricProvider(), Map.of("attribution", "smoothgrad", "smoothgrad-samples", "3"));
        cheap.put(new FeatureLeakageMetricProvider(), Map.of("ig-steps", "5", "ig-baseline", "uniform"));
        cheap.put(new AttributionRobustnessMetricProvider(), Map.of("steps", "2", "ig-steps", "3", "k", "5"));
        try (Network net = engine.networks().create(mlp, new int[] {1, 5, 5}, 2)) {
            int before = net.manager().getManagedArrays().size();
            int rootBefore = engine.manager().getManagedArrays().size();
            cheap.forEach((provider, params) -> {
                MetricResult small = evaluate(provider, params, net, data, 5);
                MetricResult large = evaluate(provider, params, net, data, 12);
                for (String key : small.values().keySet()) {
                    double s = small.value(key);
                    assertEquals(s, large.value(key), 1e-5 * Math.max(1, Math.abs(s)), provider.name() + " " + key);
                    assertTrue(!Double.isNaN(s) || key.startsWith("adversarial-group") || key.equals("rcs"),
                            provider.name() + " " + key + " is NaN");
                }
                assertEquals(before, net.manager().getManagedArrays().size(), provider.name() + ": left on the network");
                assertEquals(rootBefore, engine.manager().getManagedArrays().size(),
                        provider.name() + ": left on the root");
            });
        }
    }

    @Test
    void badParametersAreRejectedWithTheKey() {
        MlxException e = assertThrows(MlxException.class, () -> new LocalisationMetricProvider().parameters()
                .bind("localisation", Map.of("attribution", "lrp")));
        assertTrue(e.getMessage().contains("attribution") && e.getMessage().contains("integrated-gradients"),
                e.getMessage());
        assertThrows(MlxException.class, () -> new AttributionRobustnessMetricProvider().parameters()
                .bind("attribution-robustness", Map.of("k", "0")));
        assertThrows(MlxException.class, () -> new RcsMetricProvider().parameters().bind("rcs", Map.of("sigma", "-1")));
        assertThrows(MlxException.class, () -> new FeatureLeakageMetricProvider().parameters()
                .bind("feature-leakage", Map.of("smoothgrad-samples", "3")), "leakage is integrated gradients only");
    }
}
