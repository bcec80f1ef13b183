/**
 * Decoy datasets built the way the reference specification §9.1 prescribes: Decoy-MNIST of Ross
 * et al. (2017), the same recipe on Fashion-MNIST, and the Half-Decoy-MNIST appendix variant.
 */
package dev.mlx.vision.decoy;
