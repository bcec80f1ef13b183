/** BERT sequence classifiers as architectures: {@code minilm} (pretrained) and {@code bert-tiny}. */
package dev.mlx.text.model;
