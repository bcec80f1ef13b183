package dev.mlx.text.corpus;

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
 * The spurious words of each label of a text corpus, whose tokens the explanation masks mark. For
 * IMDB ({@link #imdb()}) they are the lists of Wang and Culotta ("Identifying Spurious Correlations
 * for Robust Text Classification", Findings of EMNLP 2020), as the R4 paper uses them (reference
 * spec §9.6): 66 words that spuriously indicate a positive review and 79 a negative one, kept
 * verbatim as data files in {@code dev/mlx/text/imdb/}. Decoy corpora add their decoys ({@link #with}).
 *
 * @param positive the words of label 1
 * @param negative the words of label 0
 */
public record SpuriousWords(Set<String> positive, Set<String> negative) {
    public SpuriousWords {
        positive = Set.copyOf(positive);
        negative = Set.copyOf(negative);
    }

    /** @return the bundled IMDB lists */
    public static SpuriousWords imdb() {
        return new SpuriousWords(read("/dev/mlx/text/imdb/spurious-positive.txt"),
                read("/dev/mlx/text/imdb/spurious-negative.txt"));
    }

    /** @return empty lists (a corpus whose only spurious words are its decoys) */
    public static SpuriousWords none() {
        return new SpuriousWords(Set.of(), Set.of());
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
