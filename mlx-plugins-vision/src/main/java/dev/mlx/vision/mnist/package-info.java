/**
 * Reading MNIST-format data: the IDX file format ({@link dev.mlx.vision.mnist.IdxReader}),
 * locating, fetching and verifying the four MNIST files ({@link dev.mlx.vision.mnist.MnistSource}),
 * and locating and verifying Fashion-MNIST from Debian's {@code dataset-fashion-mnist}
 * ({@link dev.mlx.vision.mnist.FashionMnistSource}).
 */
package dev.mlx.vision.mnist;
