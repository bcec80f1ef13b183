/** Model architectures for image datasets: the MLP family, the CNNs of the paper's code and ResNet-18. */
package dev.mlx.vision.model;
