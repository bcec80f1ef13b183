/** Model architectures for image datasets. */
package dev.mlx.vision.model;
