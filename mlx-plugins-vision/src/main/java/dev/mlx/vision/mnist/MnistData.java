package dev.mlx.vision.mnist;

/**
 * The MNIST training and test splits with a checksum identifying the source files.
 *
 * @param train the 60,000 training examples (fewer for a user's own copy)
 * @param test the 10,000 test examples
 * @param checksum SHA-256 over the four files' SHA-256 values, see {@link MnistSource}
 */
public record MnistData(MnistSplit train, MnistSplit test, String checksum) {}
