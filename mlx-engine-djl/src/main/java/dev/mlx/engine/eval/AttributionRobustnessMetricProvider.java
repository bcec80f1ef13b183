package dev.mlx.engine.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import dev.mlx.api.metric.Metric;
import dev.mlx.api.metric.MetricProvider;
import dev.mlx.api.metric.MetricResult;
import dev.mlx.api.param.HyperParameters;
import dev.mlx.api.param.ParameterSchema;
import dev.mlx.api.train.Model;
import dev.mlx.api.train.OwnedArrays;
import dev.mlx.api.train.Scalars;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code attribution-robustness}: how much an attribution map changes under an attack on the
 * attribution itself (Ghorbani, Abid and Zou, "Interpretation of Neural Networks Is Fragile", AAAI
 * 2019), measured as in Chen, Wu, Rastogi, Liang and Jha ("Robust Attribution Regularization", NeurIPS
 * 2019, seed 004) by the top-k intersection and Kendall's rank correlation between the maps before and
 * after the attack.
 *
 * <p><b>Attack.</b> With {@code A(x)} the chosen attribution of the explained class ({@link AttributionChoice};
 * default integrated gradients with {@code M = 10}), {@code A0 = A(x)} and {@code K} the indices of the
 * {@code k} largest {@code |A0|}, PGD ({@link PgdAttack}; l-inf ball of radius {@code epsilon}, clipped to
 * [0, 1]) ascends one of
 *
 * <pre>
 * objective = topk :  D(x') = - sum_{i in K} |A(x')_i| / sum_i |A(x')_i|      (Ghorbani's top-k attack)
 * objective = l1   :  D(x') = ||A(x') - A0||_1
 * objective = l2   :  D(x') = ||A(x') - A0||_2^2
 * </pre>
 *
 * whose input gradient is taken by double backpropagation through the attribution
 * ({@link Model#gradient}). With {@code keep-label} (the default, as Ghorbani et al.) a step that
 * changes an example's predicted class is rejected for that example, so the attack changes the
 * explanation and not the decision. The explained class is that of the clean input throughout.
 *
 * <p><b>Values</b>, with {@code A1 = A(x')} at the attack's end point and {@code T_k} as in {@link TopKIntersection}:
 *
 * <pre>
 * topk-intersection  = mean_b |T_k(|A0_b|) ∩ T_k(|A1_b|)| / k
 * kendall-tau        = mean_b tau-b(|A0_b|, |A1_b|)        (examples where tau-b is defined; {@link KendallTau})
 * changed-prediction = #{argmax f(x'_b) != argmax f(x_b)} / N      (0 with keep-label)
 * </pre>
 *
 * Both similarities are 1 for an attribution the attack cannot move; lower means more fragile.
 *
 * <p><b>Caveat.</b> On a piecewise-linear (ReLU) network the input gradient of a logit is piecewise
 * constant in {@code x}, so for {@code attribution=input-gradient} or {@code smoothgrad} with
 * {@code attribution-target=logit} the attack's gradient is zero almost everywhere and only the random
 * start moves the point (Ghorbani et al. replace ReLU by softplus for this reason). Integrated gradients
 * (the default) depend on {@code x} through the path and give a working attack; so does
 * {@code attribution-target=cross-entropy}.
 *
 * <p>Parameters: {@code epsilon} (0.1), {@code steps} (10), {@code step-size} (0 = 2.5 epsilon / steps),
 * {@code random-start} (true; needed by l1 and l2, whose gradient vanishes at {@code x' = x}),
 * {@code clamp} (true), {@code k} (100, clamped to the number of features), {@code objective}
 * ({@code topk}), {@code keep-label} (true), and the attribution's parameters.
 */
public final class AttributionRobustnessMetricProvider implements MetricProvider {
    @Override
    public String name() {
        return "attribution-robustness";
    }

    @Override
    public String description() {
        return "top-k intersection and Kendall's tau of attributions before and after a PGD attack on the attribution";
    }

    @Override
    public ParameterSchema parameters() {
        ParameterSchema.Builder b = PgdAttack.declare(ParameterSchema.builder(), 0.1, 10, true)
                .addInt("k", 100, 1, Integer.MAX_VALUE, "number of top features compared (clamped to the feature count)")
                .addChoice("objective", "topk", List.of("topk", "l1", "l2"),
                        "what the attack maximises: loss of top-k mass (Ghorbani), or the l1 / squared l2 change")
                .addBoolean("keep-label", true, "reject steps that change an example's predicted class");
        return AttributionChoice.declare(b, "integrated-gradients", 10).build();
    }

    @Override
    public Metric create(HyperParameters params) {
        PgdAttack attack = PgdAttack.from(params);
        AttributionChoice choice = AttributionChoice.from(name(), params);
        int k = params.getInt("k");
        String objective = params.getString("objective");
        boolean keepLabel = params.getBoolean("keep-label");
        return (model, split, context) -> {
            double[] acc = new double[4]; // sum intersections, sum taus, defined taus, changed predictions
            long seed = context.seed();
            context.forEachBatch(split, (batch, offset) -> {
                NDArray x = batch.inputs();
                NDArray classes = choice.explained(model, x, batch.labels());
                long[] before = model.logits(x).argMax(1).toLongArray();
                NDArray a0 = choice.attributeClass(model, x, classes, seed, offset).stopGradient();
                double[][] abs0 = PerExample.rows(a0.abs());
                NDArray top = topMask(a0, abs0, k);
                // "+ 0 * sum(x')" keeps x' in the graph when the attribution does not depend on it (the input
                // gradient of a linear model): its gradient is then 0 instead of an autograd error.
                PgdAttack.Direction direction = xAdv -> model.detachedGradient(xAdv,
                        leaf -> objective(objective, choice.attributeClass(model, leaf, classes, seed, offset), a0, top)
                                .add(Scalars.times(leaf.sum(), 0.0)));
                PgdAttack.Acceptance acceptance = keepLabel ? proposal -> sameClass(model, proposal, before) : null;
                NDArray adversarial = attack.run(x, seed, offset, direction, acceptance);
                double[][] abs1 = PerExample.rows(choice.attributeClass(model, adversarial, classes, seed, offset)
                        .stopGradient().abs());
                long[] after = model.logits(adversarial).argMax(1).toLongArray();
                for (int b = 0; b < abs0.length; b++) {
                    acc[0] += TopKIntersection.of(abs0[b], abs1[b], k);
                    double tau = KendallTau.tauB(abs0[b], abs1[b]);
                    if (!Double.isNaN(tau)) {
                        acc[1] += tau;
                        acc[2]++;
                    }
                    acc[3] += after[b] != before[b] ? 1 : 0;
                }
            });
            int n = split.size();
            Map<String, Double> v = new LinkedHashMap<>();
            v.put("epsilon", attack.epsilon());
            v.put("k", (double) k);
            v.put("topk-intersection", n == 0 ? Double.NaN : acc[0] / n);
            v.put("kendall-tau", acc[2] == 0 ? Double.NaN : acc[1] / acc[2]);
            v.put("changed-prediction", n == 0 ? Double.NaN : acc[3] / n);
            return MetricResult.of(name(), v);
        };
    }

    /** The attack objective, summed over the examples (each example's term depends on its own point only). */
    static NDArray objective(String objective, NDArray attribution, NDArray a0, NDArray top) {
        switch (objective) {
            case "l1":
                return attribution.sub(a0).abs().sum();
            case "l2":
                return attribution.sub(a0).square().sum();
            default:
                long b = attribution.getShape().get(0);
                NDArray abs = attribution.abs().reshape(b, -1);
                NDArray inside = abs.mul(top.reshape(b, -1)).sum(new int[] {1});
                NDArray total = abs.sum(new int[] {1}).add(Scalars.of(abs, 1e-12));
                return inside.div(total).sum().neg();
        }
    }

    /** 1 at the top-k features of each example's {@code |A0|}, 0 elsewhere; shape of {@code a0}. */
    private static NDArray topMask(NDArray a0, double[][] abs0, int k) {
        int features = abs0.length == 0 ? 0 : abs0[0].length;
        double[] mask = new double[abs0.length * features];
        for (int b = 0; b < abs0.length; b++) {
            for (int i : TopKIntersection.topK(abs0[b], k)) {
                mask[b * features + i] = 1;
            }
        }
        Shape shape = a0.getShape();
        return OwnedArrays.of(a0.getManager(), mask, shape, a0.getDataType());
    }

    private static boolean[] sameClass(Model model, NDArray proposal, long[] before) {
        long[] now = model.logits(proposal).argMax(1).toLongArray();
        boolean[] same = new boolean[now.length];
        for (int i = 0; i < now.length; i++) {
            same[i] = now[i] == before[i];
        }
        return same;
    }
}
