package dev.mlx.api.train;

import ai.djl.ndarray.NDArray;

/**
 * An element-wise interval {@code [lower, upper]} over tensors of one shape.
 *
 * @param lower the lower bounds
 * @param upper the upper bounds, element-wise {@code >= lower}
 */
public record Interval(NDArray lower, NDArray upper) {

    /**
     * The box {@code [x - eps*mask, x + eps*mask]}: only masked features may move.
     *
     * @param x the centre
     * @param mask the mask, 1 where a feature may move
     * @param eps the radius, {@code >= 0}
     * @return the box
     */
    public static Interval maskedBox(NDArray x, NDArray mask, double eps) {
        if (!(eps >= 0)) {
            throw new IllegalArgumentException("epsilon must be >= 0, got " + eps);
        }
        NDArray radius = Scalars.times(mask, eps);
        return new Interval(x.sub(radius), x.add(radius));
    }

    /** @return {@code (lower + upper) / 2} */
    public NDArray centre() {
        return Scalars.times(lower.add(upper), 0.5);
    }

    /** @return {@code (upper - lower) / 2} */
    public NDArray radius() {
        return Scalars.times(upper.sub(lower), 0.5);
    }

    /** @return {@code upper - lower} */
    public NDArray width() {
        return upper.sub(lower);
    }
}
