/**
 * Text plugins: IMDB and Decoy-IMDB datasets ({@link dev.mlx.text.imdb}), BERT classifiers
 * ({@link dev.mlx.text.model}: the pretrained all-MiniLM-L6-v2 and a small random BERT), WordPiece
 * tokenisation ({@link dev.mlx.text.token}) and regularizers on token embeddings
 * ({@link dev.mlx.text.method}: token-rrr, token-smooth-rrr, token-rand-r4, token-adv-r4).
 */
package dev.mlx.text;
