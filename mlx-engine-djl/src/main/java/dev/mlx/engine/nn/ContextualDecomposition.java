package dev.mlx.engine.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;
import dev.mlx.api.error.UnsupportedCapabilityException;

/**
 * Contextual decomposition (CD) of a {@link Network}'s logits into a part {@code beta} due to a
 * chosen group of input features and a part {@code gamma} due to the rest (Murdoch, Liu and Yu,
 * ICLR 2018, for LSTMs; Singh, Murdoch and Yu, ICLR 2019, for CNNs), with the propagation rules of
 * the CDEP code (Rieger et al., ICML 2020, {@code laura-rieger/deep-explanation-penalization},
 * {@code cd.py}):
 *
 * <pre>
 * input:          beta = m * x,  gamma = x - m * x              (m = the group, values in [0, 1])
 * Linear/Conv2d:  rel = A beta,  irrel = A gamma                 (A = the layer's map without bias;
 *                                                                 a layer without bias stops here)
 *                 s   = |rel| / (|rel| + |irrel| + 1e-19)
 *                 beta' = rel + s * b,   gamma' = irrel + (1 - s) * b
 * ReLU:           beta' = relu(beta),    gamma' = relu(beta + gamma) - relu(beta)
 * Flatten:        applied to both parts
 * </pre>
 *
 * Every rule keeps {@code beta' + gamma'} equal to the layer's output for {@code beta + gamma}, so
 * at the end {@code beta + gamma} equals the logits (up to rounding). One deliberate difference
 * from the CDEP code: it gives the irrelevant part the bias share {@code |irrel| / (|rel| + |irrel|
 * + 1e-19)}, so where both contributions are exactly zero (a convolution over an all-black patch
 * of an MNIST digit, say) the bias is dropped and the decomposition no longer adds up to the
 * network's output; here the irrelevant part gets {@code 1 - s}, which is the same wherever
 * {@code |rel| + |irrel|} is not negligible and keeps CD complete. All rules are differentiable in
 * the parameters (the shares too, as in CDEP).
 */
public final class ContextualDecomposition {
    private static final float STABILIZER = 1e-19f;

    private ContextualDecomposition() {}

    /**
     * The two parts of a decomposed activation, on the batch's manager.
     *
     * @param relevant {@code beta}, the part due to the chosen features
     * @param irrelevant {@code gamma}, the part due to the others
     */
    public record Parts(NDArray relevant, NDArray irrelevant) {}

    /**
     * Decomposes the logits of {@code network} at {@code inputs} with respect to the features
     * selected by {@code group}.
     *
     * @param network the network (Linear, ReLU, Flatten and Conv2d layers)
     * @param inputs the inputs {@code x}, shape {@code [B, ...exampleShape]}
     * @param group the feature group {@code m}, shape of {@code inputs}, 1 = in the relevant part
     * @return {@code beta} and {@code gamma} of the logits, each of shape {@code [B, C]}
     * @throws UnsupportedCapabilityException naming the first layer CD does not support
     */
    public static Parts decompose(Network network, NDArray inputs, NDArray group) {
        NDArray beta = group.mul(inputs);
        return propagate(network, new Parts(beta, inputs.sub(beta)));
    }

    /**
     * Propagates a decomposition of the input through every layer.
     *
     * @param network the network
     * @param input {@code beta} and {@code gamma} of the input
     * @return {@code beta} and {@code gamma} of the logits
     */
    public static Parts propagate(Network network, Parts input) {
        Parts parts = input;
        int index = 0;
        for (Layer layer : network.layers()) {
            parts = through(layer, parts, index++, network);
        }
        return parts;
    }

    private static Parts through(Layer layer, Parts in, int index, Network network) {
        NDArray beta = in.relevant();
        NDArray gamma = in.irrelevant();
        if (layer instanceof LinearLayer) {
            NDArray w = layer.parameters().get(0).array();
            NDArray b = layer.parameters().get(1).array();
            return splitBias(Linear.linear(beta, w).singletonOrThrow(), Linear.linear(gamma, w).singletonOrThrow(), b);
        }
        if (layer instanceof Conv2dLayer conv) {
            NDArray w = conv.weight().array();
            if (!conv.hasBias()) {
                return new Parts(conv.convolve(beta, w), conv.convolve(gamma, w));
            }
            NDArray b = conv.bias().array().reshape(1, -1, 1, 1);
            b.attach(beta.getManager());
            return splitBias(conv.convolve(beta, w), conv.convolve(gamma, w), b);
        }
        if (layer instanceof ReluLayer) {
            NDArray relevant = Activation.relu(beta);
            return new Parts(relevant, Activation.relu(beta.add(gamma)).sub(relevant));
        }
        if (layer instanceof FlattenLayer) {
            return new Parts(layer.forward(beta), layer.forward(gamma));
        }
        throw new UnsupportedCapabilityException("contextual decomposition is not supported through layer " + index
                + " (" + layer.describe() + ") of " + network.architecture()
                + "; supported layer types: Linear, ReLU, Flatten, Conv2d");
    }

    /** beta' = rel + s b, gamma' = irrel + (1 - s) b with s = |rel| / (|rel| + |irrel| + 1e-19). */
    private static Parts splitBias(NDArray rel, NDArray irrel, NDArray bias) {
        NDArray absRel = rel.abs();
        NDArray share = absRel.div(absRel.add(irrel.abs()).add(STABILIZER));
        NDArray relBias = share.mul(bias);
        NDArray irrelBias = relBias.neg().add(bias);
        return new Parts(rel.add(relBias), irrel.add(irrelBias));
    }
}
