package dev.mlx.api.metric;

import dev.mlx.api.data.DataSplit;
import dev.mlx.api.train.Model;

/**
 * One configured evaluation metric, made by {@link MetricProvider#create}. It reads a whole split
 * in batches of {@link EvaluationContext#batchSize()} (use {@link EvaluationContext#forEachBatch}) and
 * reduces it to named scalars.
 *
 * <p>Rules: every NDArray is created under {@link EvaluationContext#manager()} (forEachBatch gives
 * each batch its own sub-manager, closed after the batch); randomness comes only from
 * {@link EvaluationContext#seed()}, so the same model, data and seed give the same values; the
 * model is only read (no training step is running, so gradients with respect to the parameters
 * are neither needed nor accumulated).
 */
@FunctionalInterface
public interface Metric {

    /**
     * @param model the trained model
     * @param split the data to evaluate on (its masks and groups are used as the metric needs)
     * @param context the manager, batch size and seed
     * @return the named values
     */
    MetricResult evaluate(Model model, DataSplit split, EvaluationContext context);
}
