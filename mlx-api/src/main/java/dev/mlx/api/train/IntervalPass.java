package dev.mlx.api.train;

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
}
