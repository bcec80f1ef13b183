package dev.mlx.api.model;

/**
 * One layer of an {@link Architecture}, described without reference to an engine. Engines build
 * executable layers from these and declare per layer type which capabilities (forward, input
 * gradients, interval bounds) they support.
 */
public sealed interface LayerSpec permits LayerSpec.Linear, LayerSpec.Relu, LayerSpec.Flatten, LayerSpec.Conv2d {

    /** @return a short human name such as {@code Linear(784, 512)} */
    String describe();

    /** Fully connected layer {@code y = x W^T + b} with {@code W} of shape {@code [out, in]}. */
    record Linear(int in, int out) implements LayerSpec {
        public Linear {
            if (in <= 0 || out <= 0) {
                throw new IllegalArgumentException("Linear(" + in + ", " + out + "): sizes must be positive");
            }
        }

        @Override
        public String describe() {
            return "Linear(" + in + ", " + out + ")";
        }
    }

    /** Element-wise {@code max(x, 0)}. */
    record Relu() implements LayerSpec {
        @Override
        public String describe() {
            return "ReLU";
        }
    }

    /** Flattens every dimension but the batch dimension. */
    record Flatten() implements LayerSpec {
        @Override
        public String describe() {
            return "Flatten";
        }
    }

    /** 2-D convolution over {@code [N, C, H, W]} inputs with a square kernel. */
    record Conv2d(int inChannels, int outChannels, int kernel, int stride, int padding) implements LayerSpec {
        public Conv2d {
            if (inChannels <= 0 || outChannels <= 0 || kernel <= 0 || stride <= 0 || padding < 0) {
                throw new IllegalArgumentException("invalid Conv2d(" + inChannels + ", " + outChannels
                        + ", k=" + kernel + ", s=" + stride + ", p=" + padding + ")");
            }
        }

        @Override
        public String describe() {
            return "Conv2d(" + inChannels + ", " + outChannels + ", k=" + kernel + ", s=" + stride + ", p=" + padding + ")";
        }
    }
}
