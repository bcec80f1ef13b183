package dev.mlx.text.method;

import ai.djl.ndarray.NDArray;
import dev.mlx.api.train.Losses;
import dev.mlx.api.train.TokenEmbeddings;

/**
 * The two quantities every token-embedding regularizer is built from (Ghitu et al., "Model
 * Guidance via Robust Feature Attribution", TMLR, Appendix C):
 *
 * <pre>
 * G(ids)  = d/dE sum_n CE(f(E_n), y_n)  at E = word_emb[ids]     ([B, L, D], create_graph)
 * J_n     = sum_{t, d} (M[n, t] * G[n, t, d])^2                  (masked squared norm, per example)
 * </pre>
 *
 * where {@code M [B, L]} marks the spurious token positions. {@code E} is detached (the reference
 * differentiates the word embeddings only, spec §10.2); position embeddings and the attention
 * mask are applied inside the model.
 */
final class TokenGradients {
    private TokenGradients() {}

    /**
     * @param embeddings the model's token capability
     * @param ids token ids {@code [B, L]}
     * @param labels labels {@code [B]}
     * @return {@code G}, differentiable with respect to the parameters
     */
    static NDArray lossGradient(TokenEmbeddings embeddings, NDArray ids, NDArray labels) {
        return lossGradientAt(embeddings, ids, embeddings.embed(ids).stopGradient(), labels);
    }

    /**
     * @param embeddings the model's token capability
     * @param ids token ids {@code [B, L]} (for the attention mask)
     * @param e the word embeddings {@code [B, L, D]} at which {@code G} is taken (any point, not
     *     necessarily {@code word_emb[ids]})
     * @param labels labels {@code [B]}
     * @return {@code G} at {@code e}, differentiable with respect to the parameters and to {@code e}
     */
    static NDArray lossGradientAt(TokenEmbeddings embeddings, NDArray ids, NDArray e, NDArray labels) {
        return embeddings.embeddingGradient(ids, e, logits -> Losses.perSampleCrossEntropy(logits, labels)).gradient();
    }

    /**
     * @param embeddings the model's token capability
     * @param ids token ids {@code [B, L]} (for the attention mask)
     * @param e the word embeddings {@code [B, L, D]}
     * @param labels labels {@code [B]}
     * @param masks {@code M [B, L]}
     * @return {@code J [B]} at {@code e}
     */
    static NDArray objective(TokenEmbeddings embeddings, NDArray ids, NDArray e, NDArray labels, NDArray masks) {
        return maskedSquares(lossGradientAt(embeddings, ids, e, labels), masks);
    }

    /**
     * @param gradient {@code G [B, L, D]}
     * @param masks {@code M [B, L]}
     * @return {@code J [B]}
     */
    static NDArray maskedSquares(NDArray gradient, NDArray masks) {
        return gradient.mul(masks.toType(gradient.getDataType(), false).expandDims(2)).square().sum(new int[] {1, 2});
    }
}
