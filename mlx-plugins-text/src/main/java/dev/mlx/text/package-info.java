/**
 * Text plugins (IMDB / Decoy-IMDB datasets, BERT models, token-embedding regularizers). Planned
 * in the text issue; this module is part of the build so plugin JAR layout and dependencies are
 * fixed from the start. It registers no plugin yet.
 */
package dev.mlx.text;
