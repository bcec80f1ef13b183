package dev.mlx.text.corpus;

import dev.mlx.text.token.TextTokenizer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.ToIntFunction;

/**
 * The decoy construction of the R4 paper's Decoy-IMDB (Ghitu et al., "Model Guidance via Robust
 * Feature Attribution", TMLR; reference spec §9.6), for any binary text corpus: a word that
 * reveals the label is planted in every training text, so a model can reach full training accuracy
 * from it alone,
 *
 * <pre>
 * train:  decoy(y) + " " + text           (Decoy-IMDB: decoy(1) = "spielberg", decoy(0) = "jonah")
 * test:   text with decoy(c) inserted at a uniformly random word boundary among the first W + 1,
 *         c ~ U{0, 1} independent of the label
 * </pre>
 *
 * where W is every word of the text ({@link #test(List, long)}, the paper's recipe) or the words a
 * length-capped model sees ({@link #test(List, long, ToIntFunction)}), so that the test decoy is
 * never truncated away. The reference inserted the test decoy at a random <em>character</em>
 * position, which can split a word in two; here it goes between words (words are split on single
 * spaces). The masks come from {@link TokenMasks}, whose word lists include the decoys.
 *
 * @param positiveDecoy the decoy of label 1
 * @param negativeDecoy the decoy of label 0
 */
public record DecoyText(String positiveDecoy, String negativeDecoy) {
    /** The values of a decoy dataset's {@code test-decoy} parameter. */
    public static final List<String> PLACEMENTS = List.of("visible", "anywhere");
    /** The description of {@code test-decoy}. */
    public static final String PLACEMENT_HELP = "where the test decoy goes: visible = among the words kept within"
            + " max-length tokens, so the model always sees it; anywhere = the paper's recipe (may be truncated away)";

    /** The paper's Decoy-IMDB decoys. */
    public static DecoyText paper() {
        return new DecoyText("spielberg", "jonah");
    }

    /** @return the training texts with their label's decoy prepended */
    public List<LabelledText> train(List<LabelledText> texts) {
        List<LabelledText> out = new ArrayList<>(texts.size());
        for (LabelledText r : texts) {
            out.add(new LabelledText(decoy(r.label()) + " " + r.text(), r.label()));
        }
        return out;
    }

    /** @return the test texts with a random decoy at any random word boundary, from {@code seed} */
    public List<LabelledText> test(List<LabelledText> texts, long seed) {
        return test(texts, seed, text -> Integer.MAX_VALUE);
    }

    /**
     * @param texts the test texts
     * @param seed the seed of the decoys and their places
     * @param visibleWords for a text, how many of its leading words a model sees; the decoy goes
     *     before one of them or right after the last (at least before the first word)
     * @return the test texts, each with one random decoy
     */
    public List<LabelledText> test(List<LabelledText> texts, long seed, ToIntFunction<String> visibleWords) {
        SplittableRandom random = new SplittableRandom(seed);
        List<LabelledText> out = new ArrayList<>(texts.size());
        for (LabelledText r : texts) {
            String word = decoy(random.nextInt(2));
            String[] words = r.text().split(" ", -1);
            int slots = Math.max(0, Math.min(words.length, visibleWords.applyAsInt(r.text()))) + 1;
            int at = random.nextInt(slots);
            StringBuilder b = new StringBuilder();
            for (int i = 0; i <= words.length; i++) {
                if (i == at) {
                    b.append(b.length() == 0 ? "" : " ").append(word);
                }
                if (i < words.length) {
                    b.append(b.length() == 0 ? "" : " ").append(words[i]);
                }
            }
            out.add(new LabelledText(b.toString(), r.label()));
        }
        return out;
    }

    /**
     * @param tokenizer the tokenizer of the model
     * @param length the model's fixed token length
     * @return for a text, how many of its leading words stay visible when either decoy is inserted
     *     among them ({@link TextTokenizer#visibleWords} with the longer decoy's word pieces
     *     reserved), for {@link #test(List, long, ToIntFunction)}
     */
    public ToIntFunction<String> visibleWithin(TextTokenizer tokenizer, int length) {
        int reserve = Math.max(tokenizer.wordPieces(positiveDecoy).length, tokenizer.wordPieces(negativeDecoy).length);
        return text -> tokenizer.visibleWords(text, length, reserve);
    }

    /**
     * The test texts of a decoy dataset whose parameter {@code test-decoy} is {@code visible}
     * (only the words within {@code length} tokens) or {@code anywhere} (the paper's recipe).
     *
     * @param texts the test texts
     * @param seed the seed of the decoys and their places
     * @param placement {@code visible} or {@code anywhere}
     * @param tokenizer the tokenizer of the model
     * @param length the model's fixed token length
     * @return the test texts, each with one random decoy
     */
    public List<LabelledText> test(List<LabelledText> texts, long seed, String placement, TextTokenizer tokenizer,
            int length) {
        return placement.equals("visible") ? test(texts, seed, visibleWithin(tokenizer, length)) : test(texts, seed);
    }

    private String decoy(int label) {
        return label == 1 ? positiveDecoy : negativeDecoy;
    }
}
