/** Plant phenotyping with leaf masks and pre-made splits (Schramowski et al. 2020; reference specification §9.4). */
package dev.mlx.vision.plant;
