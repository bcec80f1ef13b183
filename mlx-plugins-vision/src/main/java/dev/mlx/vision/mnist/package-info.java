/**
 * Reading MNIST: the IDX file format ({@link dev.mlx.vision.mnist.IdxReader}) and locating,
 * fetching and verifying the four MNIST files ({@link dev.mlx.vision.mnist.MnistSource}).
 */
package dev.mlx.vision.mnist;
