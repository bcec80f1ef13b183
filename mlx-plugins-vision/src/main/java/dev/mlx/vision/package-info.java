/**
 * Vision plugins for mlx, discovered through {@link java.util.ServiceLoader}: the datasets
 * Decoy-MNIST ({@code decoy-mnist}), Decoy-Fashion-MNIST ({@code decoy-fashion-mnist}) and
 * Half-Decoy-MNIST ({@code half-decoy-mnist}); the models MLP ({@code mlp}) and the paper's CNNs
 * ({@code derma-cnn}, {@code isic-cnn}, {@code plant-cnn}).
 */
package dev.mlx.vision;
