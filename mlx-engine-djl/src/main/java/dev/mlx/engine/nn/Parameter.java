package dev.mlx.engine.nn;

import ai.djl.ndarray.NDArray;

/**
 * A named trainable tensor of a {@link Network}.
 *
 * @param name a stable name, e.g. {@code layer0.weight}, used in checkpoints
 * @param array the tensor (float32, requires gradient), owned by the network's manager
 * @param isWeight whether it is a weight matrix or kernel (true) or a bias (false)
 */
public record Parameter(String name, NDArray array, boolean isWeight) {}
