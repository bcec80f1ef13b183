package dev.mlx.api.train;

import ai.djl.ndarray.NDArray;

/**
 * Scalar arithmetic that is safe under autograd.
 *
 * <p>DJL's {@code NDArray.mul(Number)}, {@code div(Number)}, {@code minimum(Number)} and friends
 * wrap the number in a tensor that borrows a Java direct buffer ({@code from_blob}) and close it
 * right after the operation. Autograd keeps that tensor for the backward pass of {@code mul},
 * {@code div}, {@code minimum}, {@code maximum} and {@code pow}, so the backward pass can read
 * memory the Java garbage collector has already freed: gradients then vary from run to run and
 * can even be NaN. In any expression that takes part in a loss, use these methods instead: their
 * scalar tensor owns its memory.
 */
public final class Scalars {
    private Scalars() {}

    /**
     * @param like an array giving the manager and data type
     * @param value the value
     * @return a 0-dimensional tensor of {@code like}'s type that owns its memory, on its manager
     */
    public static NDArray of(NDArray like, double value) {
        return OwnedArrays.scalar(like.getManager(), value, like.getDataType());
    }

    /** @return {@code a * s} */
    public static NDArray times(NDArray a, double s) {
        return a.mul(of(a, s));
    }

    /** @return {@code a / s} */
    public static NDArray divide(NDArray a, double s) {
        return a.div(of(a, s));
    }

    /** @return {@code min(a, s)} element-wise */
    public static NDArray minimum(NDArray a, double s) {
        return a.minimum(of(a, s));
    }

    /** @return {@code max(a, s)} element-wise */
    public static NDArray maximum(NDArray a, double s) {
        return a.maximum(of(a, s));
    }
}
