package dev.mlx.engine.eval;

import dev.mlx.api.metric.GroupAccuracy;
import dev.mlx.api.metric.Metric;
import dev.mlx.api.metric.MetricProvider;
import dev.mlx.api.metric.MetricResult;
import dev.mlx.api.param.HyperParameters;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code group-accuracy}: the accuracy metrics of the papers' Table 1 for one model (reference spec
 * §8.1). The prediction is {@code argmax_c z_c} of the logits (as {@link GroupEvaluator}, so the
 * values equal those a training run reports); with {@code correct[g]} and {@code count[g]} the
 * counts over the examples of group {@code g} (groups with no example are left out):
 *
 * <pre>
 * accuracy             = sum_g correct[g] / sum_g count[g]                   (micro)
 * group-g              = acc[g] = correct[g] / count[g]
 * avg-group-accuracy   = mean_g acc[g]                                       (Avg Acc, macro over groups)
 * worst-group-accuracy = min_g acc[g]                                        (Wg Acc)
 * worst-group          = argmin_g acc[g]
 * avg-label-accuracy   = mean_c correct_c / count_c over the label classes   (macro over labels: ISIC's Avg Acc)
 * </pre>
 *
 * Over restarts, average the {@code group-g} values first and take the worst group of the averages
 * ({@link GroupAccuracy#restartAverage}), not the mean of each run's minimum.
 */
public final class GroupAccuracyMetricProvider implements MetricProvider {
    @Override
    public String name() {
        return "group-accuracy";
    }

    @Override
    public String description() {
        return "accuracy, Avg Acc (macro over groups), Wg Acc and per-group accuracy (argmax of the logits)";
    }

    @Override
    public Metric create(HyperParameters params) {
        return (model, split, context) -> {
            long[] groupCorrect = new long[split.numGroups()];
            long[] groupCount = new long[split.numGroups()];
            long[] labelCorrect = new long[split.numClasses()];
            long[] labelCount = new long[split.numClasses()];
            int[] groups = split.groups();
            int[] labels = split.labels();
            context.forEachBatch(split, (batch, offset) -> {
                long[] predicted = model.logits(batch.inputs()).argMax(1).toLongArray();
                for (int i = 0; i < predicted.length; i++) {
                    int g = groups[offset + i];
                    int y = labels[offset + i];
                    boolean right = predicted[i] == y;
                    groupCount[g]++;
                    labelCount[y]++;
                    if (right) {
                        groupCorrect[g]++;
                        labelCorrect[y]++;
                    }
                }
            });
            return result(name(), new GroupAccuracy(groupCorrect, groupCount),
                    new GroupAccuracy(labelCorrect, labelCount));
        };
    }

    /**
     * @param metric the metric name
     * @param byGroup the counts per group
     * @param byLabel the counts per label class
     * @return the named values
     */
    static MetricResult result(String metric, GroupAccuracy byGroup, GroupAccuracy byLabel) {
        Map<String, Double> v = new LinkedHashMap<>();
        v.put("accuracy", byGroup.accuracy());
        v.put("avg-group-accuracy", byGroup.averageGroupAccuracy());
        v.put("worst-group-accuracy", byGroup.worstGroupAccuracy());
        v.put("worst-group", (double) byGroup.worstGroup());
        v.put("avg-label-accuracy", byLabel.averageGroupAccuracy());
        double[] perGroup = byGroup.perGroup();
        for (int g = 0; g < perGroup.length; g++) {
            v.put("group-" + g, perGroup[g]);
        }
        return MetricResult.of(metric, v);
    }
}
