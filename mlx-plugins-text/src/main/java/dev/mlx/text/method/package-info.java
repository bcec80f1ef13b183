/**
 * Regularizers on token embeddings (Ghitu et al., "Model Guidance via Robust Feature Attribution",
 * TMLR, Appendix C): RRR, Smooth-R3, Rand-R4 and the GCG-style Adv-R4, for text models that offer
 * {@link dev.mlx.api.train.TokenEmbeddings}.
 */
package dev.mlx.text.method;
