package dev.mlx.text.imdb;

/**
 * One labelled movie review.
 *
 * @param text the review text
 * @param label 1 = positive, 0 = negative
 */
public record Review(String text, int label) {
    public Review {
        if (label != 0 && label != 1) {
            throw new IllegalArgumentException("review label must be 0 or 1, got " + label);
        }
    }
}
