package dev.mlx.text.corpus;

/**
 * One labelled text of a binary text-classification corpus (a movie review, an e-mail).
 *
 * @param text the text
 * @param label 1 or 0 (positive / negative review; spam / ham)
 */
public record LabelledText(String text, int label) {
    public LabelledText {
        if (label != 0 && label != 1) {
            throw new IllegalArgumentException("a text's label must be 0 or 1, got " + label);
        }
    }
}
