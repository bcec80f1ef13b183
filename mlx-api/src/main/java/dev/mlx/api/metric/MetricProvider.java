package dev.mlx.api.metric;

import dev.mlx.api.Described;
import dev.mlx.api.param.HyperParameters;

/**
 * Service interface for evaluation metrics: what {@code mlx eval --metrics <name>,...} computes on
 * a trained model and one split of its dataset.
 *
 * <h2>Order of use</h2>
 *
 * <ol>
 *   <li>discovery instantiates the provider (public no-argument constructor, no work, no native
 *       calls) and reads {@link #name()} and {@link #parameters()};</li>
 *   <li>the command binds the user's {@code -P key=value} values to {@link #parameters()} and calls
 *       {@link #create(HyperParameters)} once;</li>
 *   <li>it calls {@link Metric#evaluate} once per model and split, with an {@link EvaluationContext}
 *       whose manager receives every temporary.</li>
 * </ol>
 *
 * <h2>Writing a metric plugin</h2>
 *
 * Depend on {@code dev.mlx:mlx-api} only, write one class and list it in
 * {@code META-INF/services/dev.mlx.api.metric.MetricProvider}. Example: the mean absolute input
 * gradient of the cross-entropy on the masked features,
 *
 * <pre>{@code
 * public final class MaskedSaliencyProvider implements MetricProvider {
 *     public String name() { return "masked-saliency"; }
 *     public String description() { return "mean |m * dCE/dx| over the masked entries"; }
 *     public Metric create(HyperParameters p) {
 *         return (model, split, ctx) -> {
 *             double[] sum = new double[2]; // sum of |m g|, number of masked entries
 *             ctx.forEachBatch(split, (batch, offset) -> {
 *                 NDArray g = model.inputGradient(batch.inputs(),
 *                         z -> Losses.perSampleCrossEntropy(z, batch.labels())).gradient();
 *                 sum[0] += g.mul(batch.masks()).abs().sum().toType(DataType.FLOAT64, false).getDouble();
 *                 sum[1] += batch.masks().gt(0).sum().toType(DataType.FLOAT64, false).getDouble();
 *             });
 *             return MetricResult.of(name(), Map.of("mean", sum[1] == 0 ? 0 : sum[0] / sum[1]));
 *         };
 *     }
 * }
 * }</pre>
 *
 * Every value a metric reports is a named scalar; the javadoc of each provider states the formula
 * of each value. {@link #name()} must be unique among metrics.
 */
public interface MetricProvider extends Described {

    /**
     * @param params validated values for {@link #parameters()}
     * @return the metric configured with them
     */
    Metric create(HyperParameters params);
}
