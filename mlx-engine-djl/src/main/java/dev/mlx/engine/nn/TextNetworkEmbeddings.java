package dev.mlx.engine.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.jni.JniUtils;
import dev.mlx.api.train.InputGradient;
import dev.mlx.api.train.TokenEmbeddings;
import dev.mlx.engine.autograd.TorchScriptGradHelper;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * {@link TokenEmbeddings} of a {@link Network} whose first layer is a {@link TextEncoderLayer}:
 * the logits from word embeddings run the encoder from its {@code inputs_embeds} entry and then
 * the remaining layers; the embedding gradient is {@code torch.autograd.grad} with create_graph
 * through {@link TorchScriptGradHelper}, at a detached copy of the embeddings (as the reference
 * detaches {@code E}, spec §10.2).
 */
final class TextNetworkEmbeddings implements TokenEmbeddings {
    private final TextEncoderLayer text;
    private final List<Layer> rest;
    private final TorchScriptGradHelper gradHelper;

    TextNetworkEmbeddings(TextEncoderLayer text, List<Layer> rest, TorchScriptGradHelper gradHelper) {
        this.text = text;
        this.rest = List.copyOf(rest);
        this.gradHelper = gradHelper;
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
        boolean wasGrad = JniUtils.isGradMode();
        if (!wasGrad) {
            JniUtils.setGradMode(true);
        }
        try {
            NDArray leaf = embeddings.duplicate();
            leaf.setRequiresGradient(true);
            NDArray logits = logits(ids, leaf);
            return new InputGradient(logits, gradHelper.gradient(objective.apply(logits), leaf));
        } finally {
            if (!wasGrad) {
                JniUtils.setGradMode(false);
            }
        }
    }
}
