package dev.mlx.api.train;

import ai.djl.ndarray.NDArray;
import java.util.function.UnaryOperator;

/**
 * A batch whose masked features may move (an attack in the masked box, as Adv-R4's): the inputs are
 * a fixed {@code base} with the values on a mask's columns ({@link FeatureColumns}) replaced. The
 * model evaluates masked input gradients at such points on the columns only; a network whose first
 * layer is linear multiplies the fixed part of the inputs by its weights once for every point.
 * Obtained from {@link Model#maskedInputs}.
 */
public interface MaskedInputs {
    /** @return the base's values on the columns, {@code [B, K]} */
    NDArray columnValues();

    /**
     * {@link Model#maskedInputGradient(NDArray, NDArray, FeatureColumns, UnaryOperator)} at the base
     * with its columns set to {@code values}.
     *
     * @param values the values on the columns, {@code [B, K]}; the result is differentiable with
     *     respect to them (and to the parameters), so an attack can ascend a function of the gradient
     *     through {@link Model#gradient} or {@link Model#detachedGradient} of {@code values}
     * @param objective maps the logits {@code [B, C]} to any tensor whose sum is differentiated
     * @return the logits and the masked input gradient on the columns, {@code [B, K]}
     */
    InputGradient maskedInputGradient(NDArray values, UnaryOperator<NDArray> objective);
}
