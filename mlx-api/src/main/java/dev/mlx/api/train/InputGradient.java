package dev.mlx.api.train;

import ai.djl.ndarray.NDArray;

/**
 * Logits and an input gradient computed from one forward pass.
 *
 * @param logits the model output, shape {@code [B, C]}
 * @param gradient the gradient of the summed objective with respect to the input, shape of the
 *     input; differentiable with respect to the model parameters (double backprop)
 */
public record InputGradient(NDArray logits, NDArray gradient) {}
