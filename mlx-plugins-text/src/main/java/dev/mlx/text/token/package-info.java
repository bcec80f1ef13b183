/** WordPiece tokenisation through DJL's HuggingFace tokenizers binding. */
package dev.mlx.text.token;
