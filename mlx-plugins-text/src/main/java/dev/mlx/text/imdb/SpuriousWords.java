package dev.mlx.text.imdb;

import dev.mlx.api.error.ErrorKind;
import dev.mlx.api.error.MlxException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The spurious-word lists of Wang and Culotta ("Identifying Spurious Correlations for Robust Text
 * Classification", Findings of EMNLP 2020), as the R4 paper uses them for IMDB (reference spec
 * §9.6): 66 words that spuriously indicate a positive review and 79 a negative one, kept verbatim
 * as data files next to this class.
 *
 * @param positive the words of label 1
 * @param negative the words of label 0
 */
public record SpuriousWords(Set<String> positive, Set<String> negative) {
    public SpuriousWords {
        positive = Set.copyOf(positive);
        negative = Set.copyOf(negative);
    }

    /** @return the bundled lists */
    public static SpuriousWords imdb() {
        return new SpuriousWords(read("spurious-positive.txt"), read("spurious-negative.txt"));
    }

    /**
     * @param label 0 or 1
     * @return the words of that label's list
     */
    public Set<String> forLabel(int label) {
        return label == 1 ? positive : negative;
    }

    /**
     * @param label 0 or 1
     * @param extra more words for that label (e.g. its decoy)
     * @return a copy with {@code extra} added to the label's list
     */
    public SpuriousWords with(int label, String extra) {
        Set<String> p = new LinkedHashSet<>(positive);
        Set<String> n = new LinkedHashSet<>(negative);
        (label == 1 ? p : n).add(extra);
        return new SpuriousWords(p, n);
    }

    private static Set<String> read(String resource) {
        try (InputStream in = SpuriousWords.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new MlxException(ErrorKind.INTERNAL, "the spurious-word list " + resource + " is missing from"
                        + " the text plugin jar");
            }
            Set<String> words = new LinkedHashSet<>();
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                String w = line.strip();
                if (!w.isEmpty() && !w.startsWith("#")) {
                    words.add(w);
                }
            }
            return words;
        } catch (IOException e) {
            throw new MlxException(ErrorKind.INTERNAL, "cannot read " + resource + ": " + e.getMessage(), e);
        }
    }
}
