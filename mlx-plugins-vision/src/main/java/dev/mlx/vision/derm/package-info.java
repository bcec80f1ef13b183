/** Decoy-DERM: MedMNIST DermaMNIST with a colour-swatch decoy (R4 paper, reference specification §9.2). */
package dev.mlx.vision.derm;
