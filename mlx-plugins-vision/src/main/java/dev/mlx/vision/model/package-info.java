/** Model architectures for image datasets: the MLP family and the CNNs of the paper's code. */
package dev.mlx.vision.model;
