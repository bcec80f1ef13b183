package dev.mlx.engine.text;

/**
 * How a BERT encoder's token states {@code h [B, L, H]} become one vector per sequence.
 */
public enum BertPooling {
    /** {@code h[:, 0]}, the {@code [CLS]} state. */
    CLS,
    /** {@code sum_t a_t h[:, t] / sum_t a_t} over the attended tokens (attention mask {@code a}); Sentence-BERT's pooling. */
    MEAN,
    /** {@code tanh(W h[:, 0] + b)}, BERT's pooler output (needs the pooler weights). */
    POOLER
}
