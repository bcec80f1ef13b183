package dev.mlx.app.serve;

import dev.mlx.api.metric.GroupAccuracy;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The predictions of a model on a split, scored as {@code mlx train} and the {@code group-accuracy}
 * metric score them (reference spec §8.1): the prediction is the first index of the largest logit,
 * and with {@code correct[g]} and {@code count[g]} counted over the examples of group {@code g}
 *
 * <pre>
 * accuracy             = sum_g correct[g] / sum_g count[g]
 * avg-group-accuracy   = mean_g correct[g] / count[g]       (Avg Acc; empty groups left out)
 * worst-group-accuracy = min_g  correct[g] / count[g]       (Wg Acc), attained at worst-group
 * avg-label-accuracy   = the same mean over the label classes
 * </pre>
 *
 * @param predicted the predicted class of every example
 * @param byGroup correct and total counts per group
 * @param byLabel correct and total counts per label class
 * @param seconds the wall time of the forward passes
 */
public record Predictions(int[] predicted, GroupAccuracy byGroup, GroupAccuracy byLabel, double seconds) {
    public Predictions {
        predicted = predicted.clone();
    }

    @Override
    public int[] predicted() {
        return predicted.clone();
    }

    /** @return the named values, with the keys of the {@code group-accuracy} metric */
    public Map<String, Double> metrics() {
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
        return v;
    }
}
