/**
 * Readers shared by the datasets the user supplies as files: NumPy {@code .npy}/{@code .npz}
 * arrays, PNG/JPEG images and masks (through {@code javax.imageio}), resizing, and a seeded
 * stratified train/test split drawn once.
 */
package dev.mlx.vision.io;
