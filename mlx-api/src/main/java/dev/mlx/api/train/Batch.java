package dev.mlx.api.train;

import ai.djl.ndarray.NDArray;

/**
 * One mini-batch, on the batch's {@link TrainingContext#manager()}.
 *
 * @param inputs inputs of shape {@code [B, ...exampleShape]}, float32
 * @param labels class labels of shape {@code [B]}, int64
 * @param masks explanation masks, same shape as {@code inputs}; 1 = feature must not matter
 */
public record Batch(NDArray inputs, NDArray labels, NDArray masks) {
    /** @return the number of examples in the batch */
    public long size() {
        return inputs.getShape().get(0);
    }
}
