package dev.mlx.api.metric;

import java.util.Arrays;
import java.util.List;

/**
 * Accuracy per group of one evaluation, and the group metrics of the papers.
 *
 * <ul>
 *   <li>{@code acc[g] = correct[g] / count[g]} (groups with no example are skipped);</li>
 *   <li>Avg Acc = the mean of {@code acc[g]} over groups (macro over groups);</li>
 *   <li>Wg Acc = the minimum of {@code acc[g]}, attained at {@link #worstGroup()}.</li>
 * </ul>
 *
 * Over restarts use {@link #restartAverage(List)}: the group accuracies are averaged over
 * restarts first and the worst group is taken of the averages (reference spec §8.1).
 *
 * @param correct correct predictions per group
 * @param count examples per group
 */
public record GroupAccuracy(long[] correct, long[] count) {
    public GroupAccuracy {
        if (correct.length != count.length) {
            throw new IllegalArgumentException("correct and count differ in length");
        }
        correct = correct.clone();
        count = count.clone();
        for (int g = 0; g < count.length; g++) {
            if (correct[g] < 0 || correct[g] > count[g]) {
                throw new IllegalArgumentException("group " + g + ": " + correct[g] + " correct of " + count[g]);
            }
        }
    }

    /** @return per-group accuracy; {@code NaN} for an empty group */
    public double[] perGroup() {
        double[] acc = new double[count.length];
        for (int g = 0; g < acc.length; g++) {
            acc[g] = count[g] == 0 ? Double.NaN : (double) correct[g] / count[g];
        }
        return acc;
    }

    /** @return overall (micro) accuracy */
    public double accuracy() {
        long c = Arrays.stream(correct).sum();
        long n = Arrays.stream(count).sum();
        return n == 0 ? Double.NaN : (double) c / n;
    }

    /** @return Avg Acc: the mean of the non-empty group accuracies */
    public double averageGroupAccuracy() {
        return Arrays.stream(perGroup()).filter(a -> !Double.isNaN(a)).average().orElse(Double.NaN);
    }

    /** @return Wg Acc: the lowest non-empty group accuracy */
    public double worstGroupAccuracy() {
        int g = worstGroup();
        return g < 0 ? Double.NaN : perGroup()[g];
    }

    /** @return the index of the group with the lowest accuracy, or -1 if every group is empty */
    public int worstGroup() {
        return argMin(perGroup());
    }

    @Override
    public long[] correct() {
        return correct.clone();
    }

    @Override
    public long[] count() {
        return count.clone();
    }

    /**
     * The restart-averaged group metrics.
     *
     * @param restarts one evaluation per restart, all with the same groups
     * @return Avg Acc and Wg Acc of the restart-averaged group accuracies, with standard deviations
     */
    public static Summary restartAverage(List<GroupAccuracy> restarts) {
        if (restarts.isEmpty()) {
            throw new IllegalArgumentException("no restarts");
        }
        int groups = restarts.get(0).count.length;
        double[] mean = new double[groups];
        for (GroupAccuracy r : restarts) {
            if (r.count.length != groups) {
                throw new IllegalArgumentException("restarts have different numbers of groups");
            }
            double[] acc = r.perGroup();
            for (int g = 0; g < groups; g++) {
                mean[g] += acc[g] / restarts.size();
            }
        }
        int worst = argMin(mean);
        double avg = Arrays.stream(mean).filter(a -> !Double.isNaN(a)).average().orElse(Double.NaN);
        double[] avgPerRun = restarts.stream().mapToDouble(GroupAccuracy::averageGroupAccuracy).toArray();
        double[] worstPerRun = restarts.stream().mapToDouble(r -> r.perGroup()[worst]).toArray();
        return new Summary(avg, mean[worst], worst, std(avgPerRun), std(worstPerRun), mean);
    }

    private static int argMin(double[] values) {
        int best = -1;
        for (int g = 0; g < values.length; g++) {
            if (!Double.isNaN(values[g]) && (best < 0 || values[g] < values[best])) {
                best = g;
            }
        }
        return best;
    }

    /** Unbiased standard deviation; 0 for a single value. */
    static double std(double[] values) {
        if (values.length < 2) {
            return 0.0;
        }
        double mean = Arrays.stream(values).average().orElse(0);
        double ss = Arrays.stream(values).map(v -> (v - mean) * (v - mean)).sum();
        return Math.sqrt(ss / (values.length - 1));
    }

    /**
     * Restart-averaged group metrics.
     *
     * @param averageGroupAccuracy Avg Acc of the restart-averaged group accuracies
     * @param worstGroupAccuracy Wg Acc of the restart-averaged group accuracies
     * @param worstGroup the group attaining it
     * @param averageStd the std over restarts of each run's Avg Acc
     * @param worstStd the std over restarts of each run's accuracy on {@code worstGroup}
     * @param perGroup the restart-averaged accuracy of every group
     */
    public record Summary(double averageGroupAccuracy, double worstGroupAccuracy, int worstGroup,
            double averageStd, double worstStd, double[] perGroup) {}
}
