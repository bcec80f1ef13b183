package dev.mlx.text.token;

/**
 * One text as fixed-length token ids.
 *
 * @param ids token ids, {@code [CLS] ... [SEP]} then padding ({@code 0}) up to the fixed length
 * @param words for each position, the lower-cased word (pre-tokenizer unit) the token belongs to,
 *     or {@code null} for special tokens and padding
 */
public record TokenizedText(long[] ids, String[] words) {
    public TokenizedText {
        if (ids.length != words.length) {
            throw new IllegalArgumentException(ids.length + " ids but " + words.length + " word labels");
        }
    }
}
