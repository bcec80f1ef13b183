package dev.mlx.app.run;

import dev.mlx.api.metric.GroupAccuracy;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One method's results over restarts (seeds), aggregated as the R4 paper's Table 1 is (reference
 * specification §8.1): with {@code acc[r,g]} the accuracy of restart {@code r} on group {@code g}
 * and {@code Ā_g = mean_r acc[r,g]},
 * <ul>
 *   <li>Avg Acc = {@code mean_g Ā_g} (equal to the mean over restarts of each restart's Avg Acc),
 *       its std = {@code std_r(mean_g acc[r,g])};
 *   <li>Wg Acc = {@code min_g Ā_g}, the worst group of the restart-averaged accuracies (not the
 *       mean of the per-restart minima), {@code worstGroup} its argmin, and its std =
 *       {@code std_r acc[r, worstGroup]}.
 * </ul>
 * The arithmetic is {@link GroupAccuracy#restartAverage} (shared with {@code mlx ablate}); stds are
 * the unbiased sample standard deviation (divisor {@code R - 1}, as {@code torch.std}), undefined
 * ({@code NaN}, {@code null} in JSON) with one restart.
 *
 * @param method the regularizer
 * @param seeds the restarts' seeds, in order
 * @param runs the restarts' results, in the order of {@code seeds}
 */
public record Restarts(String method, List<Long> seeds, List<RunResult> runs) {

    /**
     * The §8.1 aggregate of one split's group accuracies over restarts.
     *
     * @param avgMean Avg Acc: the mean over groups of the restart-averaged group accuracies
     * @param avgStd the std over restarts of each restart's mean group accuracy
     * @param wgMean Wg Acc: the lowest restart-averaged group accuracy
     * @param wgStd the std over restarts of the accuracy on {@code worstGroup}
     * @param worstGroup the group of {@code wgMean}
     * @param groupMeans the restart-averaged accuracy of every group
     */
    public record Aggregate(double avgMean, double avgStd, double wgMean, double wgStd, int worstGroup,
            double[] groupMeans) {

        /**
         * @param perRestart each restart's group accuracy on the same groups
         * @return the aggregate
         */
        public static Aggregate of(List<GroupAccuracy> perRestart) {
            GroupAccuracy.Summary s = GroupAccuracy.restartAverage(perRestart);
            boolean one = perRestart.size() < 2;
            return new Aggregate(s.averageGroupAccuracy(), one ? Double.NaN : s.averageStd(), s.worstGroupAccuracy(),
                    one ? Double.NaN : s.worstStd(), s.worstGroup(), s.perGroup());
        }

        /** @return the aggregate as comparison.json holds it (a std of one restart is {@code null}) */
        public Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("avgMean", avgMean);
            m.put("avgStd", Double.isNaN(avgStd) ? null : avgStd);
            m.put("wgMean", wgMean);
            m.put("wgStd", Double.isNaN(wgStd) ? null : wgStd);
            m.put("worstGroup", worstGroup);
            m.put("groupAccuracyMean", groupMeans.clone());
            return m;
        }
    }

    public Restarts {
        seeds = List.copyOf(seeds);
        runs = List.copyOf(runs);
        if (seeds.isEmpty() || seeds.size() != runs.size()) {
            throw new IllegalArgumentException(seeds.size() + " seeds but " + runs.size() + " runs");
        }
    }

    /** @return the test-set aggregate */
    public Aggregate test() {
        return Aggregate.of(runs.stream().map(RunResult::test).toList());
    }

    /** @return the validation-set aggregate, if every restart has one */
    public Optional<Aggregate> validation() {
        List<GroupAccuracy> v = new ArrayList<>();
        for (RunResult r : runs) {
            if (r.validation().isEmpty()) {
                return Optional.empty();
            }
            v.add(r.validation().get());
        }
        return Optional.of(Aggregate.of(v));
    }
}
