/** Salient-ImageNet-style images with spurious and core masks (reference specification §9.5). */
package dev.mlx.vision.salient;
