/**
 * Attribution methods (input gradient, SmoothGrad, integrated gradients, ...): per-feature
 * explanations of a model's output, used by metrics (leakage, localisation, attribution
 * robustness), by {@code mlx explain}, and inside training losses when they are differentiable.
 */
package dev.mlx.api.attribution;
