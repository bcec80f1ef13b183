/** ISIC skin lesions with patch masks, in the folder layout of Rieger et al. (reference specification §9.3). */
package dev.mlx.vision.isic;
