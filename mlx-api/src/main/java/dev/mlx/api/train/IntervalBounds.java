package dev.mlx.api.train;

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
}
