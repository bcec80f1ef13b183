package dev.mlx.vision.model;

import dev.mlx.api.error.MlxException;
import dev.mlx.api.model.Architecture;
import dev.mlx.api.model.LayerSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Builds a convolutional {@link Architecture} layer by layer while tracking the shape of the
 * activations, so that every layer's input size (a convolution's input channels, the first
 * linear layer's input features after {@code Flatten}) is computed from the example shape
 * instead of being hard-coded.
 *
 * <p>A convolution with kernel {@code k}, stride {@code s} and padding {@code p} maps a side
 * {@code n} to {@code floor((n + 2p − k) / s) + 1} (PyTorch's {@code Conv2d} rule, which the
 * engine follows). If some convolution would produce an empty feature map, {@link #build()}
 * throws a user error naming that layer and the smallest square input the network accepts.
 *
 * <p>Call order: {@link #forImages}, then the layers in order ({@link #conv}, {@link #relu},
 * {@link #flatten}, {@link #linear}; {@code conv} only before {@code flatten}), then
 * {@link #build()}.
 */
public final class CnnBuilder {
    private static final int LARGEST_SIDE_SEARCHED = 1 << 16;

    private final String model;
    private final int[] input;
    private final List<LayerSpec> layers = new ArrayList<>();
    private final List<int[]> convs = new ArrayList<>();
    private int channels;
    private long height;
    private long width;
    private long features = -1;
    private String failure;

    private CnnBuilder(String model, int[] input) {
        this.model = model;
        this.input = input;
        this.channels = input[0];
        this.height = input[1];
        this.width = input[2];
    }

    /**
     * Starts a network for images of shape {@code [C, H, W]} and {@code numClasses} outputs.
     *
     * @param model the model's name for messages, e.g. {@code derma-cnn (size=small)}
     * @param exampleShape the shape of one input example
     * @param numClasses the number of logits the network will produce
     * @return a builder whose current shape is {@code exampleShape}
     * @throws MlxException (user error) if the shape is not {@code [C, H, W]} with positive sizes
     *     or there are no classes
     */
    public static CnnBuilder forImages(String model, int[] exampleShape, int numClasses) {
        if (exampleShape == null || exampleShape.length != 3) {
            throw MlxException.userError(model + " takes images of shape [channels, height, width], but the dataset's "
                    + "examples have shape " + Arrays.toString(exampleShape) + "; use an image dataset, or a model for "
                    + "flat inputs such as mlp");
        }
        for (int d : exampleShape) {
            if (d <= 0) {
                throw MlxException.userError(model + ": the dataset's example shape " + Arrays.toString(exampleShape)
                        + " has a non-positive size");
            }
        }
        if (numClasses < 1) {
            throw MlxException.userError(model + ": the dataset has " + numClasses + " classes; it needs at least one");
        }
        return new CnnBuilder(model, exampleShape.clone());
    }

    /** @return the output side of a convolution: {@code floor((side + 2·padding − kernel) / stride) + 1}, or ≤ 0 if empty */
    public static long convOutput(long side, int kernel, int stride, int padding) {
        long span = side + 2L * padding - kernel;
        return span < 0 ? 0 : span / stride + 1;
    }

    /** Appends {@code Conv2d(current channels, outChannels, kernel, stride, padding)}. */
    public CnnBuilder conv(int outChannels, int kernel, int stride, int padding) {
        if (features >= 0) {
            throw new IllegalStateException(model + ": a convolution after Flatten");
        }
        convs.add(new int[] {kernel, stride, padding});
        LayerSpec.Conv2d conv = new LayerSpec.Conv2d(channels, outChannels, kernel, stride, padding);
        if (failure == null) {
            long h = convOutput(height, kernel, stride, padding);
            long w = convOutput(width, kernel, stride, padding);
            if (h < 1 || w < 1) {
                failure = conv.describe() + " (layer " + (layers.size() + 1) + ") would map its " + height + "x" + width
                        + " input to an empty " + h + "x" + w + " feature map";
            }
            height = h;
            width = w;
        }
        channels = outChannels;
        layers.add(conv);
        return this;
    }

    /** Appends {@code ReLU} (the shape is unchanged). */
    public CnnBuilder relu() {
        layers.add(new LayerSpec.Relu());
        return this;
    }

    /** Appends {@code Flatten}: the current {@code [C, H, W]} becomes {@code C·H·W} features. */
    public CnnBuilder flatten() {
        if (features >= 0) {
            throw new IllegalStateException(model + ": Flatten twice");
        }
        features = failure == null ? channels * height * width : 0;
        layers.add(new LayerSpec.Flatten());
        return this;
    }

    /** Appends {@code Linear(current features, out)}; needs a preceding {@link #flatten()}. */
    public CnnBuilder linear(int out) {
        if (features < 0) {
            throw new IllegalStateException(model + ": Linear before Flatten");
        }
        if (failure == null) {
            if (features > Integer.MAX_VALUE) {
                failure = "Flatten gives " + features + " features, more than one layer can take; use smaller images";
            } else {
                layers.add(new LayerSpec.Linear((int) features, out));
            }
        }
        features = out;
        return this;
    }

    /** @return the number of features after the last layer (valid after {@link #flatten()}) */
    public long features() {
        return features;
    }

    /**
     * @return the architecture
     * @throws MlxException (user error) if the example shape is too small (or too large) for the layers
     */
    public Architecture build() {
        if (failure != null) {
            int smallest = smallestSide();
            String need = smallest > 0 ? "; this network needs images of at least " + smallest + "x" + smallest : "";
            throw MlxException.userError(model + ": the input " + Arrays.toString(input) + " does not fit: " + failure
                    + need);
        }
        return new Architecture(layers);
    }

    private int smallestSide() {
        for (int side = 1; side <= LARGEST_SIDE_SEARCHED; side++) {
            long n = side;
            for (int[] c : convs) {
                n = n < 1 ? 0 : convOutput(n, c[0], c[1], c[2]);
            }
            if (n >= 1) {
                return side;
            }
        }
        return -1;
    }
}
