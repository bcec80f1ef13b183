package dev.mlx.engine.nn;

import ai.djl.ndarray.NDArray;
import dev.mlx.api.train.InputGradient;
import dev.mlx.api.train.TokenEmbeddings;
import dev.mlx.engine.autograd.GradMode;
import dev.mlx.engine.autograd.TorchScriptGradHelper;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;

/**
 * {@link TokenEmbeddings} of a {@link Network} whose first layer is a {@link TextEncoderLayer}:
 * the logits from word embeddings run the encoder from its {@code inputs_embeds} entry and then
 * the remaining layers; the embedding gradient is {@code torch.autograd.grad} with create_graph
 * through {@link TorchScriptGradHelper}, at a detached copy of the embeddings (as the reference
 * detaches {@code E}, spec §10.2), or at the embeddings themselves when they are a leaf that requires
 * gradients (as {@link Network#inputGradient} does). Inside {@link Network#gradient} the embeddings may be computed
 * from that call's leaf (a gradient of a function of this gradient, e.g. GCG's
 * {@code dJ/dE}); then the gradient is taken at them as they are, so that it stays connected.
 */
final class TextNetworkEmbeddings implements TokenEmbeddings {
    private final TextEncoderLayer text;
    private final List<Layer> rest;
    private final TorchScriptGradHelper gradHelper;

    private final BooleanSupplier nested;

    /**
     * @param nested whether the network is inside {@link Network#gradient} (then the embeddings
     *     may be connected to that call's leaf)
     */
    TextNetworkEmbeddings(TextEncoderLayer text, List<Layer> rest, TorchScriptGradHelper gradHelper,
            BooleanSupplier nested) {
        this.text = text;
        this.rest = List.copyOf(rest);
        this.gradHelper = gradHelper;
        this.nested = nested;
    }

    @Override
    public int vocabularySize() {
        return text.encoder().config().vocabSize();
    }

    @Override
    public long padId() {
        return text.padId();
    }

    @Override
    public NDArray embed(NDArray ids) {
        return text.encoder().wordEmbeddings(ids);
    }

    @Override
    public NDArray logits(NDArray ids, NDArray embeddings) {
        NDArray x = text.fromEmbeddings(ids, embeddings);
        for (Layer layer : rest) {
            x = layer.forward(x);
        }
        return x;
    }

    @Override
    public InputGradient embeddingGradient(NDArray ids, NDArray embeddings, UnaryOperator<NDArray> objective) {
        return GradMode.on(() -> {
            if (embeddings.hasGradient()) {
                return gradientAt(ids, embeddings, objective);
            }
            if (nested.getAsBoolean()) {
                // DJL reports false for results computed from a leaf; libtorch knows. Plain data is
                // refused by autograd, and then a fresh leaf is used below.
                try {
                    return gradientAt(ids, embeddings, objective);
                } catch (ai.djl.engine.EngineException notConnected) {
                    // plain data: continue with a copy
                }
            }
            NDArray leaf = embeddings.duplicate();
            leaf.setRequiresGradient(true);
            return gradientAt(ids, leaf, objective);
        });
    }

    private InputGradient gradientAt(NDArray ids, NDArray e, UnaryOperator<NDArray> objective) {
        NDArray logits = logits(ids, e);
        return new InputGradient(logits, gradHelper.gradient(objective.apply(logits), e));
    }
}
