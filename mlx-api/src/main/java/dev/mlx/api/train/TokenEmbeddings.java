package dev.mlx.api.train;

import ai.djl.ndarray.NDArray;
import java.util.function.UnaryOperator;

/**
 * The token-embedding capability of a text model, for regularizers on discrete inputs: the
 * batch's inputs hold token ids (one per position, {@link #padId()} for padding), which cannot be
 * differentiated, so input gradients are taken with respect to the <em>word embeddings</em>
 * {@code E = word_emb[ids]} ({@code [B, L, D]}), as in Ghitu et al., "Model Guidance via Robust
 * Feature Attribution" (TMLR), Appendix C. Position and segment embeddings are added inside the
 * model, and padding positions are excluded from attention in every forward pass.
 *
 * <p>Obtain it from {@link Model#tokenEmbeddings()}; models with continuous inputs throw
 * {@link dev.mlx.api.error.UnsupportedCapabilityException}.
 */
public interface TokenEmbeddings {
    /** @return the number of token ids, {@code V}; valid ids are {@code [0, V)} */
    int vocabularySize();

    /** @return the id that marks padding (excluded from attention) */
    long padId();

    /**
     * @param ids token ids {@code [B, L]}, any numeric type holding integers
     * @return the word embeddings {@code [B, L, D]}, differentiable with respect to the table
     */
    NDArray embed(NDArray ids);

    /**
     * @param ids token ids {@code [B, L]} (for the attention mask)
     * @param embeddings word embeddings {@code [B, L, D]}
     * @return the logits {@code [B, C]}
     */
    NDArray logits(NDArray ids, NDArray embeddings);

    /**
     * Computes {@code d/dE sum(objective(logits(ids, E)))} with create_graph, so the result is
     * differentiable with respect to the parameters.
     *
     * @param ids token ids {@code [B, L]}
     * @param embeddings the point {@code E} ({@code [B, L, D]}); not modified
     * @param objective maps the logits to any tensor whose sum is differentiated
     * @return the logits and the gradient with respect to {@code E} ({@code [B, L, D]})
     */
    InputGradient embeddingGradient(NDArray ids, NDArray embeddings, UnaryOperator<NDArray> objective);
}
