/**
 * What every text dataset shares: labelled texts, the decoy construction, spurious-word lists,
 * token masks, the fixed seeded split and tokenisation into a {@link dev.mlx.api.data.DataSplit},
 * and npm tarballs fetched with a pinned SHA-256.
 */
package dev.mlx.text.corpus;
