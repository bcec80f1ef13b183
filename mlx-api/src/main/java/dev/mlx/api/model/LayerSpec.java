package dev.mlx.api.model;

import java.util.List;
import java.util.stream.Collectors;

/**
 * One layer of an {@link Architecture}, described without reference to an engine. Engines build
 * executable layers from these and declare per layer type which capabilities (forward, input
 * gradients, interval bounds) they support.
 *
 * <p>Layer types: {@link Linear}, {@link Relu}, {@link Flatten}, {@link Conv2d} (the original
 * set) and, for residual networks such as ResNet-18 (He et al., "Deep Residual Learning for Image
 * Recognition", CVPR 2016), {@link BatchNorm2d}, {@link MaxPool2d}, {@link GlobalAvgPool2d},
 * {@link Dropout} and the container {@link Residual}. Each follows the PyTorch module of the same
 * name, so a torchvision model can be described layer for layer.
 */
public sealed interface LayerSpec
        permits LayerSpec.Linear, LayerSpec.Relu, LayerSpec.Flatten, LayerSpec.Conv2d, LayerSpec.BatchNorm2d,
                LayerSpec.MaxPool2d, LayerSpec.GlobalAvgPool2d, LayerSpec.Dropout, LayerSpec.Residual,
                LayerSpec.TextEncoder {

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

    /**
     * 2-D convolution over {@code [N, C, H, W]} inputs with a square kernel, {@code y = conv(x, W) + b}
     * ({@code W} of shape {@code [out, in, k, k]}); without the bias term when {@code bias} is false
     * (PyTorch's {@code Conv2d(..., bias=False)}, used before a batch normalisation).
     *
     * @param inChannels input channels
     * @param outChannels output channels
     * @param kernel the side of the square kernel
     * @param stride the stride in both directions
     * @param padding the zero padding on every side
     * @param bias whether the layer has a bias vector of shape {@code [out]}
     */
    record Conv2d(int inChannels, int outChannels, int kernel, int stride, int padding, boolean bias)
            implements LayerSpec {
        public Conv2d {
            if (inChannels <= 0 || outChannels <= 0 || kernel <= 0 || stride <= 0 || padding < 0) {
                throw new IllegalArgumentException("invalid Conv2d(" + inChannels + ", " + outChannels
                        + ", k=" + kernel + ", s=" + stride + ", p=" + padding + ")");
            }
        }

        /** A convolution with a bias. */
        public Conv2d(int inChannels, int outChannels, int kernel, int stride, int padding) {
            this(inChannels, outChannels, kernel, stride, padding, true);
        }

        @Override
        public String describe() {
            return "Conv2d(" + inChannels + ", " + outChannels + ", k=" + kernel + ", s=" + stride + ", p=" + padding
                    + (bias ? "" : ", no bias") + ")";
        }
    }

    /** Whether a {@link BatchNorm2d} normalises with batch statistics while training. */
    enum BatchNormMode {
        /**
         * PyTorch's {@code module.train()} behaviour: during training steps the layer normalises
         * with the statistics of the current batch (biased variance) and updates the running
         * statistics {@code r <- (1 - momentum) r + momentum * batch} (unbiased variance for the
         * running variance); outside training steps it uses the running statistics.
         */
        TRAIN,
        /**
         * Frozen statistics (PyTorch's {@code module.eval()} during fine-tuning): always the affine
         * map {@code gamma (x - running_mean) / sqrt(running_var + eps) + beta}; the running
         * statistics never change, {@code gamma} and {@code beta} are still trained.
         */
        EVAL
    }

    /**
     * Batch normalisation over the channels of {@code [N, C, H, W]} inputs (Ioffe and Szegedy,
     * ICML 2015), as PyTorch's {@code BatchNorm2d}: {@code y = gamma (x - mean) / sqrt(var + eps) + beta}
     * per channel, with trainable {@code gamma} (initially 1) and {@code beta} (initially 0), and
     * running statistics ({@code running_mean} initially 0, {@code running_var} initially 1,
     * {@code num_batches_tracked}) updated with {@code momentum} as described in {@link BatchNormMode}.
     *
     * @param channels the number of channels {@code C}
     * @param eps the variance offset (PyTorch's default {@code 1e-5})
     * @param momentum the running-statistics update weight (PyTorch's default {@code 0.1})
     * @param mode where the statistics come from while training
     */
    record BatchNorm2d(int channels, double eps, double momentum, BatchNormMode mode) implements LayerSpec {
        /** PyTorch's default {@code eps}. */
        public static final double DEFAULT_EPS = 1e-5;
        /** PyTorch's default {@code momentum}. */
        public static final double DEFAULT_MOMENTUM = 0.1;

        public BatchNorm2d {
            if (channels <= 0 || !(eps > 0) || !(momentum >= 0 && momentum <= 1) || mode == null) {
                throw new IllegalArgumentException("invalid BatchNorm2d(" + channels + ", eps=" + eps + ", momentum="
                        + momentum + ", mode=" + mode + ")");
            }
        }

        /** A batch normalisation with PyTorch's defaults ({@code eps = 1e-5, momentum = 0.1}). */
        public BatchNorm2d(int channels, BatchNormMode mode) {
            this(channels, DEFAULT_EPS, DEFAULT_MOMENTUM, mode);
        }

        @Override
        public String describe() {
            return "BatchNorm2d(" + channels + ", " + mode.name().toLowerCase(java.util.Locale.ROOT) + ")";
        }
    }

    /**
     * 2-D max pooling over {@code [N, C, H, W]} inputs with a square window, as PyTorch's
     * {@code MaxPool2d(kernel, stride, padding)} (padding counts as {@code -infinity}, floor mode).
     *
     * @param kernel the side of the window
     * @param stride the stride in both directions
     * @param padding the implicit padding on every side, at most {@code kernel / 2}
     */
    record MaxPool2d(int kernel, int stride, int padding) implements LayerSpec {
        public MaxPool2d {
            if (kernel <= 0 || stride <= 0 || padding < 0 || 2 * padding > kernel) {
                throw new IllegalArgumentException("invalid MaxPool2d(k=" + kernel + ", s=" + stride + ", p=" + padding
                        + "): sizes must be positive and the padding at most half the window");
            }
        }

        @Override
        public String describe() {
            return "MaxPool2d(k=" + kernel + ", s=" + stride + ", p=" + padding + ")";
        }
    }

    /**
     * Global average pooling, PyTorch's {@code AdaptiveAvgPool2d((1, 1))}: {@code [N, C, H, W]} to
     * {@code [N, C, 1, 1]}, each channel's mean over its {@code H x W} positions.
     */
    record GlobalAvgPool2d() implements LayerSpec {
        @Override
        public String describe() {
            return "GlobalAvgPool2d";
        }
    }

    /**
     * Dropout (Srivastava et al., JMLR 2014), as PyTorch's {@code Dropout(p)}: during training
     * steps each element is zeroed with probability {@code p} and the others are scaled by
     * {@code 1 / (1 - p)}; outside training steps it is the identity.
     *
     * @param probability the drop probability {@code p} in {@code [0, 1)}
     */
    record Dropout(double probability) implements LayerSpec {
        public Dropout {
            if (!(probability >= 0 && probability < 1)) {
                throw new IllegalArgumentException("Dropout(" + probability + "): the probability must be in [0, 1)");
            }
        }

        @Override
        public String describe() {
            return "Dropout(" + probability + ")";
        }
    }

    /**
     * A residual connection {@code y = body(x) + shortcut(x)} (He et al., CVPR 2016), where
     * {@code body} and {@code shortcut} are layer sequences; an empty shortcut is the identity.
     * Both must produce outputs of one shape. torchvision's {@code BasicBlock} is
     * {@code Residual([conv3x3, bn, relu, conv3x3, bn], [] or [conv1x1, bn])} followed by a
     * {@link Relu}.
     *
     * @param body the main branch, at least one layer
     * @param shortcut the shortcut branch (empty: identity)
     */
    record Residual(List<LayerSpec> body, List<LayerSpec> shortcut) implements LayerSpec {
        public Residual {
            body = List.copyOf(body);
            shortcut = List.copyOf(shortcut);
            if (body.isEmpty()) {
                throw new IllegalArgumentException("a residual block needs at least one layer in its body");
            }
        }

        @Override
        public String describe() {
            return "Residual[" + body.stream().map(LayerSpec::describe).collect(Collectors.joining(" -> ")) + " | "
                    + (shortcut.isEmpty() ? "identity"
                            : shortcut.stream().map(LayerSpec::describe).collect(Collectors.joining(" -> "))) + "]";
        }
    }

    /**
     * A BERT-style transformer encoder over token ids {@code [N, L]} (id {@code padId} = padding,
     * excluded from attention), pooled to {@code [N, hidden]}.
     *
     * @param weights where the pretrained weights come from: {@code random} (initialised from the
     *     seed), {@code onnx:classpath:/name.onnx} (a resource on the class path) or
     *     {@code onnx:/path/to/model.onnx} (a file)
     * @param vocabSize word-embedding rows
     * @param hidden the width
     * @param layers transformer layers
     * @param heads attention heads
     * @param intermediate feed-forward width
     * @param maxPositions the longest sequence
     * @param pooling {@code cls}, {@code mean} or {@code pooler}
     * @param padId the padding token id
     */
    record TextEncoder(String weights, int vocabSize, int hidden, int layers, int heads, int intermediate,
            int maxPositions, String pooling, int padId) implements LayerSpec {
        public TextEncoder {
            if (vocabSize <= 0 || hidden <= 0 || layers < 0 || heads <= 0 || intermediate <= 0 || maxPositions <= 0
                    || hidden % heads != 0 || padId < 0 || padId >= vocabSize) {
                throw new IllegalArgumentException("invalid TextEncoder(vocab " + vocabSize + ", hidden " + hidden
                        + ", layers " + layers + ", heads " + heads + ", intermediate " + intermediate + ", positions "
                        + maxPositions + ", pad " + padId + ")");
            }
            if (!java.util.List.of("cls", "mean", "pooler").contains(pooling)) {
                throw new IllegalArgumentException("TextEncoder pooling must be cls, mean or pooler, got " + pooling);
            }
        }

        @Override
        public String describe() {
            return "TextEncoder(" + layers + "x" + hidden + ", heads " + heads + ", vocab " + vocabSize + ", "
                    + pooling + ", " + weights + ")";
        }
    }
}
