package dev.mlx.text.corpus;

import dev.mlx.text.token.TokenizedText;
import java.util.Set;

/**
 * The explanation mask of a tokenised review: 1 at every token of a word from its label's
 * spurious list (all word pieces of the word), 0 elsewhere. Words are the tokenizer's lower-cased
 * pre-tokenisation units, matched whole; the reference matched case-sensitive substrings of the raw
 * text, so "am" also hit "camera" (spec §9.6).
 */
public final class TokenMasks {
    private TokenMasks() {}

    /**
     * @param text the tokenised review
     * @param words the spurious words of its label
     * @return the mask, one value per position
     */
    public static float[] of(TokenizedText text, Set<String> words) {
        String[] w = text.words();
        float[] mask = new float[w.length];
        for (int t = 0; t < w.length; t++) {
            if (w[t] != null && words.contains(w[t])) {
                mask[t] = 1f;
            }
        }
        return mask;
    }
}
