package dev.mlx.engine.text;

import dev.mlx.api.error.MlxException;

/**
 * The sizes of a BERT encoder (Devlin et al., "BERT: Pre-training of Deep Bidirectional
 * Transformers for Language Understanding", NAACL 2019), with HuggingFace's names in mind.
 *
 * @param vocabSize rows of the word-embedding table
 * @param hidden the model width {@code H}
 * @param layers the number of transformer layers
 * @param heads attention heads; {@code H} must be a multiple of it
 * @param intermediate the width of the feed-forward layer
 * @param maxPositions rows of the position-embedding table (the longest sequence)
 * @param typeVocabSize rows of the token-type (segment) table
 * @param layerNormEps the LayerNorm epsilon ({@code 1e-12} in BERT)
 */
public record BertConfig(int vocabSize, int hidden, int layers, int heads, int intermediate, int maxPositions,
        int typeVocabSize, double layerNormEps) {
    public BertConfig {
        if (vocabSize < 1 || hidden < 1 || layers < 0 || heads < 1 || intermediate < 1 || maxPositions < 1
                || typeVocabSize < 1 || !(layerNormEps > 0)) {
            throw MlxException.userError("invalid BERT configuration " + describe(vocabSize, hidden, layers, heads,
                    intermediate, maxPositions, typeVocabSize) + "; every size must be positive");
        }
        if (hidden % heads != 0) {
            throw MlxException.userError("BERT hidden size " + hidden + " is not a multiple of the " + heads
                    + " attention heads; choose heads dividing hidden");
        }
    }

    /** The all-MiniLM-L6-v2 sizes: vocabulary 30522, hidden 384, 6 layers, 12 heads, FFN 1536, 512 positions. */
    public static BertConfig miniLmL6() {
        return new BertConfig(30522, 384, 6, 12, 1536, 512, 2, 1e-12);
    }

    /** @return {@code hidden / heads} */
    public int headSize() {
        return hidden / heads;
    }

    private static String describe(int v, int h, int l, int a, int i, int p, int t) {
        return "(vocab " + v + ", hidden " + h + ", layers " + l + ", heads " + a + ", intermediate " + i
                + ", positions " + p + ", types " + t + ")";
    }

    @Override
    public String toString() {
        return "BERT" + describe(vocabSize, hidden, layers, heads, intermediate, maxPositions, typeVocabSize);
    }
}
