package dev.mlx.api.train;

import ai.djl.ndarray.NDArray;

/**
 * The result of propagating an input box through a network (interval bound propagation). It
 * holds the interval of every layer's input, so it can also bound the input gradient.
 */
public interface IntervalPass {
    /** @return sound bounds on the logits for every input in the box, shape {@code [B, C]} */
    Interval logits();

    /**
     * Bounds the input gradient {@code J(x)^T g} over the box, for every {@code x} in the box and
     * every logit cotangent {@code g} in {@code logitGradient} (for a loss: {@code dL/dz}).
     *
     * @param logitGradient an interval containing the cotangent of the logits, shape {@code [B, C]}
     * @return an interval containing the input gradient, shape {@code [B, ...exampleShape]};
     *     differentiable with respect to the model parameters
     */
    Interval inputGradient(Interval logitGradient);

    /**
     * Bounds the masked input gradient {@code m * J(x)^T g} over the box: what a penalty on the
     * masked input gradient reads. The result equals {@code inputGradient(logitGradient)} multiplied
     * element-wise by {@code mask}; an implementation may compute only the features where the mask
     * is non-zero (a network whose first layer is linear does, when the mask covers few features).
     *
     * @param logitGradient an interval containing the cotangent of the logits, shape {@code [B, C]}
     * @param mask the mask, entries {@code >= 0}, shape {@code [B, ...exampleShape]}
     * @return an interval containing {@code mask * dL/dx}, shape {@code [B, ...exampleShape]}, zero
     *     wherever the mask is; differentiable with respect to the model parameters
     */
    default Interval maskedInputGradient(Interval logitGradient, NDArray mask) {
        Interval g = inputGradient(logitGradient);
        return new Interval(g.lower().mul(mask), g.upper().mul(mask));
    }

    /**
     * {@link #maskedInputGradient(Interval, NDArray)} on {@code columns} only: bounds on the masked
     * input gradient of shape {@code [B, K]}, equal to {@code columns.select} of the full bounds.
     *
     * @param logitGradient an interval containing the cotangent of the logits, shape {@code [B, C]}
     * @param mask the mask, entries {@code >= 0}, shape {@code [B, ...exampleShape]}
     * @param columns {@link Model#maskedColumns} of {@code mask}
     * @return an interval containing {@code mask * dL/dx} on the columns, shape {@code [B, K]};
     *     differentiable with respect to the model parameters
     */
    default Interval maskedInputGradient(Interval logitGradient, NDArray mask, FeatureColumns columns) {
        Interval g = maskedInputGradient(logitGradient, mask);
        return new Interval(columns.select(g.lower()), columns.select(g.upper()));
    }
}
