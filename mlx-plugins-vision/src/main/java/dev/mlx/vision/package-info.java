/**
 * Vision plugins for mlx: the Decoy-MNIST dataset ({@code decoy-mnist}) and the MLP model
 * ({@code mlp}) of the paper's MNIST experiments. Both are discovered through
 * {@link java.util.ServiceLoader}.
 */
package dev.mlx.vision;
