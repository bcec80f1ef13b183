/** The Decoy-MNIST dataset of Ross et al. (2017), built the way the reference specification §9.1 prescribes. */
package dev.mlx.vision.decoy;
