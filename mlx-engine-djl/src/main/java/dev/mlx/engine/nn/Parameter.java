package dev.mlx.engine.nn;

import ai.djl.ndarray.NDArray;

/**
 * A named tensor of a {@link Network}'s state: a trainable parameter, a frozen parameter, or a
 * buffer such as a batch normalisation's running mean (PyTorch's {@code register_buffer}).
 * Everything with a name is saved in checkpoints; only trainable tensors are updated by the
 * optimiser.
 *
 * @param name a stable name, e.g. {@code layer0.weight}, used in checkpoints
 * @param array the tensor (float32 or float64), owned by the network's manager; it requires a
 *     gradient exactly when {@code trainable}
 * @param isWeight whether it is a weight matrix or kernel (true) or a bias, scale or buffer (false)
 * @param trainable whether the optimiser updates it
 */
public record Parameter(String name, NDArray array, boolean isWeight, boolean trainable) {
    /**
     * A trainable parameter.
     *
     * @param name the name
     * @param array the tensor (requires a gradient)
     * @param isWeight whether it is a weight matrix or kernel
     */
    public Parameter(String name, NDArray array, boolean isWeight) {
        this(name, array, isWeight, true);
    }
}
