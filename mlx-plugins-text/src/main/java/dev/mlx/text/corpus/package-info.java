/**
 * What every text dataset shares: labelled texts, the decoy construction, spurious-word lists,
 * token masks, and the fixed seeded split and tokenisation into a {@link dev.mlx.api.data.DataSplit}.
 * Fetching npm tarballs with a pinned SHA-256 is {@link dev.mlx.api.data.fetch}.
 */
package dev.mlx.text.corpus;
