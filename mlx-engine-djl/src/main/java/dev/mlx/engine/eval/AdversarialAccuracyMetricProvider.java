package dev.mlx.engine.eval;

import ai.djl.ndarray.NDArray;
import dev.mlx.api.metric.GroupAccuracy;
import dev.mlx.api.metric.Metric;
import dev.mlx.api.metric.MetricProvider;
import dev.mlx.api.metric.MetricResult;
import dev.mlx.api.param.HyperParameters;
import dev.mlx.api.param.ParameterSchema;
import dev.mlx.api.train.Losses;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code adversarial-accuracy}: accuracy under an l-inf PGD attack on the cross-entropy (Madry et al.,
 * ICLR 2018; {@link PgdAttack}): each example {@code x} with label {@code y} is replaced by
 *
 * <pre>
 * x' = PGD(x), ascending CE(f(x'), y) inside ||x' - x||_inf <= epsilon (and [0, 1] with clamp)
 * </pre>
 *
 * and the prediction {@code argmax_c f(x')_c} is compared with {@code y}:
 *
 * <pre>
 * accuracy                      = clean accuracy
 * adversarial-accuracy          = #{argmax f(x') = y} / N
 * adversarial-group-g           = the same over the examples of group g
 * adversarial-avg-group-accuracy, adversarial-worst-group-accuracy = mean and minimum of those (non-empty groups)
 * </pre>
 *
 * PGD gives an upper bound on the accuracy against every attack in the ball (a stronger attack can
 * only lower it). For a linear binary model the sign of the gradient is constant, so PGD reaches the
 * worst corner {@code x - epsilon * sign(w_y - w_other)} and an example survives exactly when its
 * margin exceeds {@code epsilon * ||w_y - w_other||_1} (without clamp). Parameters: {@code epsilon}
 * (default 0.1), {@code steps} (20), {@code step-size} (0 = 2.5 epsilon / steps), {@code random-start}
 * (true; drawn per example from the seed), {@code clamp} (true).
 */
public final class AdversarialAccuracyMetricProvider implements MetricProvider {
    @Override
    public String name() {
        return "adversarial-accuracy";
    }

    @Override
    public String description() {
        return "accuracy (overall and per group) on l-inf PGD adversarial examples of the cross-entropy";
    }

    @Override
    public ParameterSchema parameters() {
        return PgdAttack.declare(ParameterSchema.builder(), 0.1, 20, true).build();
    }

    @Override
    public Metric create(HyperParameters params) {
        PgdAttack attack = PgdAttack.from(params);
        return (model, split, context) -> {
            long[] groupCorrect = new long[split.numGroups()];
            long[] groupCount = new long[split.numGroups()];
            long[] clean = new long[1];
            int[] groups = split.groups();
            int[] labels = split.labels();
            context.forEachBatch(split, (batch, offset) -> {
                NDArray y = batch.labels();
                long[] before = model.logits(batch.inputs()).argMax(1).toLongArray();
                NDArray adversarial = attack.run(batch.inputs(), context.seed(), offset,
                        xAdv -> model.inputGradient(xAdv, z -> Losses.perSampleCrossEntropy(z, y)).gradient(), null);
                long[] after = model.logits(adversarial).argMax(1).toLongArray();
                for (int i = 0; i < after.length; i++) {
                    int g = groups[offset + i];
                    groupCount[g]++;
                    if (after[i] == labels[offset + i]) {
                        groupCorrect[g]++;
                    }
                    if (before[i] == labels[offset + i]) {
                        clean[0]++;
                    }
                }
            });
            GroupAccuracy adversarial = new GroupAccuracy(groupCorrect, groupCount);
            Map<String, Double> v = new LinkedHashMap<>();
            v.put("epsilon", attack.epsilon());
            v.put("accuracy", split.size() == 0 ? Double.NaN : (double) clean[0] / split.size());
            v.put("adversarial-accuracy", adversarial.accuracy());
            v.put("adversarial-avg-group-accuracy", adversarial.averageGroupAccuracy());
            v.put("adversarial-worst-group-accuracy", adversarial.worstGroupAccuracy());
            double[] perGroup = adversarial.perGroup();
            for (int g = 0; g < perGroup.length; g++) {
                v.put("adversarial-group-" + g, perGroup[g]);
            }
            return MetricResult.of(name(), v);
        };
    }
}
