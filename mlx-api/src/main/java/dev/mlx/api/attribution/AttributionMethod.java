package dev.mlx.api.attribution;

import ai.djl.ndarray.NDArray;
import dev.mlx.api.train.Model;

/**
 * One configured attribution method, made by {@link AttributionProvider#create}.
 *
 * <p>Rules: the result has the shape of {@code inputs} and lives on the manager of
 * {@code inputs}; randomness (SmoothGrad noise, IG baselines) comes only from {@code seed}, so
 * the same model, inputs and seed give the same attributions; when
 * {@link AttributionProvider#differentiable()} is {@code true} and a training step is collecting
 * gradients, the result is differentiable with respect to the model's parameters (create_graph),
 * so a regularizer can penalise it.
 *
 * <p>Convention of the built-in methods, recommended for plugins: the randomness of row {@code b}
 * depends only on {@code seed + b}, so a caller that attributes a split batch by batch and passes
 * {@code seed + offset} (the index of the batch's first example) gets the same attribution for an
 * example whatever the batch size. Bad arguments (labels not of shape {@code [B]} or outside the
 * model's classes, NaN inputs) are a {@link dev.mlx.api.error.MlxException} user error.
 */
@FunctionalInterface
public interface AttributionMethod {

    /**
     * @param model the model to explain
     * @param inputs shape {@code [B, ...exampleShape]}; not modified
     * @param labels the class explained per example, shape {@code [B]} (the true label or the
     *     predicted one, as the caller chooses)
     * @param seed seed of any randomness the method uses
     * @return the attribution of every input feature, shape of {@code inputs}
     */
    NDArray attribute(Model model, NDArray inputs, NDArray labels, long seed);
}
