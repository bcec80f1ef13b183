package dev.mlx.engine.attribution;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import dev.mlx.api.train.Model;

/**
 * One pass of the path and sampling attributions ({@link IntegratedGradientsProvider},
 * {@link SmoothGradProvider}): the input gradients at several points of the same examples, summed
 * over the points, from a single model call on the stacked points.
 */
final class PointGradients {
    private PointGradients() {}

    /**
     * {@code sum_k d/dz objective(f(z), y) |_{z = z_k}} over the points {@code z_1..z_K} of one chunk
     * of examples, each of shape {@code [E, ...]}, computed as one call on {@code [K * E, ...]}.
     *
     * @param model the network
     * @param target the explained scalar (logit or cross-entropy of {@code labels})
     * @param points the points {@code z_k}, all of the same shape {@code [E, ...]}
     * @param labels the labels of the {@code E} examples
     * @param largestLabel the largest label of the whole input (checked against the model's classes)
     * @return the summed gradient, shape {@code [E, ...]}
     */
    static NDArray sum(Model model, AttributionTarget target, NDList points, NDArray labels, long largestLabel) {
        int count = points.size();
        NDArray z = RowChunks.concat(points);
        NDArray rowLabels = count == 1 ? labels : labels.tile(count);
        NDArray g = model.inputGradient(z, target.objective(rowLabels, largestLabel)).gradient();
        return g.reshape(RowChunks.stacked(count, points.get(0).getShape())).sum(new int[] {0});
    }
}
