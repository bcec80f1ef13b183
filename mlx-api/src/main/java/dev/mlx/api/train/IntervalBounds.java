package dev.mlx.api.train;

import ai.djl.ndarray.NDArray;

/**
 * The interval-bound capability of a {@link Model}: sound bounds on the outputs and on the input
 * gradient over a box of inputs. All results are differentiable with respect to the parameters
 * (so a regularizer can train on them).
 */
public interface IntervalBounds {
    /**
     * Propagates a box of inputs forward through every layer.
     *
     * @param input the box, shape {@code [B, ...exampleShape]}
     * @return the pass, from which logit bounds and input-gradient bounds are read
     */
    IntervalPass propagate(Interval input);

    /**
     * Propagates the masked box {@code [x - eps*mask, x + eps*mask]} ({@link Interval#maskedBox}).
     * The same as {@code propagate(Interval.maskedBox(x, mask, eps))}, except that the model knows
     * the box's centre exactly: a network whose first layer is linear uses {@code x} itself as the
     * centre and reuses the first layer's product from the forward pass it just made on the same
     * {@code x} (the training step's), instead of computing it again.
     *
     * @param x the centre, shape {@code [B, ...exampleShape]}
     * @param mask where the box extends, entries {@code >= 0}, the shape of {@code x}
     * @param eps the radius, {@code >= 0}
     * @return the pass
     */
    default IntervalPass propagateMaskedBox(NDArray x, NDArray mask, double eps) {
        return propagate(Interval.maskedBox(x, mask, eps));
    }

    /**
     * {@link #propagateMaskedBox(NDArray, NDArray, double)} for a box that moves only the features
     * {@code columns} (the mask's, from {@link Model#maskedColumns}): a model may then compute the radius
     * on those features only. The same pass.
     *
     * @param x the centre, shape {@code [B, ...exampleShape]}
     * @param mask where the box extends, entries {@code >= 0}, the shape of {@code x}
     * @param eps the radius, {@code >= 0}
     * @param columns {@link Model#maskedColumns} of {@code mask}
     * @return the pass
     */
    default IntervalPass propagateMaskedBox(NDArray x, NDArray mask, double eps, FeatureColumns columns) {
        return propagateMaskedBox(x, mask, eps);
    }
}
