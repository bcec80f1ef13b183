package dev.mlx.app.report;

import dev.mlx.engine.train.EpochMetrics;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The training curves of the reports, made from the per-epoch {@link EpochMetrics} (the values of
 * {@code metrics.csv}): task loss (mean cross-entropy over the epoch's steps), regularizer penalty,
 * training accuracy, and test Avg Acc / Wg Acc after each epoch. Accuracies are plotted in percent.
 * An epoch without test evaluation contributes no test point.
 */
public final class TrainingCurves {
    private TrainingCurves() {}

    /**
     * @param history one run's epochs
     * @return the task loss per epoch (and the penalty, when the regularizer has one, on its own curve)
     */
    public static CurveChart loss(List<EpochMetrics> history) {
        CurveChart chart = CurveChart.of("Training loss", "epoch", "mean per step")
                .addSeries("task loss (cross-entropy)", epochs(history), values(history, EpochMetrics::taskLoss));
        if (history.stream().anyMatch(e -> e.penalty() != 0.0)) {
            chart.addSeries("penalty", epochs(history), values(history, EpochMetrics::penalty));
        }
        return chart;
    }

    /**
     * @param history one run's epochs
     * @return training accuracy, test Avg Acc and test Wg Acc per epoch, in percent
     */
    public static CurveChart accuracies(List<EpochMetrics> history) {
        return CurveChart.of("Accuracy per epoch", "epoch", "%")
                .addSeries("train accuracy", epochs(history), percent(history, EpochMetrics::trainAccuracy))
                .addSeries("test Avg Acc", epochs(history), percent(history, e -> testValue(e, true)))
                .addSeries("test Wg Acc", epochs(history), percent(history, e -> testValue(e, false)));
    }

    /**
     * One curve per run of one per-epoch value, for comparisons.
     *
     * @param title the chart's title
     * @param yAxisTitle the y axis label
     * @param runs each run's epochs by its name, in legend order
     * @param value the value of an epoch (NaN where it has none)
     * @return the chart
     */
    public static CurveChart perRun(String title, String yAxisTitle, Map<String, List<EpochMetrics>> runs,
            ToDoubleFunction<EpochMetrics> value) {
        CurveChart chart = CurveChart.of(title, "epoch", yAxisTitle);
        runs.forEach((name, history) -> chart.addSeries(name, epochs(history), values(history, value)));
        return chart;
    }

    /**
     * @param e an epoch
     * @param average true for Avg Acc, false for Wg Acc
     * @return that test value as a fraction, NaN if the epoch was not evaluated
     */
    public static double testValue(EpochMetrics e, boolean average) {
        if (e.test() == null) {
            return Double.NaN;
        }
        return average ? e.test().averageGroupAccuracy() : e.test().worstGroupAccuracy();
    }

    private static double[] epochs(List<EpochMetrics> history) {
        return history.stream().mapToDouble(EpochMetrics::epoch).toArray();
    }

    private static double[] values(List<EpochMetrics> history, ToDoubleFunction<EpochMetrics> value) {
        return history.stream().mapToDouble(value).toArray();
    }

    private static double[] percent(List<EpochMetrics> history, ToDoubleFunction<EpochMetrics> value) {
        return history.stream().mapToDouble(e -> 100 * value.applyAsDouble(e)).toArray();
    }
}
