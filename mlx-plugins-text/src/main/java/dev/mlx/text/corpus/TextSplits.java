package dev.mlx.text.corpus;

import dev.mlx.api.data.DataSplit;
import dev.mlx.api.data.ExplanationDataset;
import dev.mlx.api.error.MlxException;
import dev.mlx.text.token.TextTokenizer;
import dev.mlx.text.token.TokenizedText;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The fixed split and the tokenised form of a binary text corpus: a Fisher-Yates shuffle from a
 * seed, the first {@code n} texts of a list, and a {@link DataSplit} whose inputs are the token ids
 * as floats (exact below 2^24), shape {@code [length]}, masks from {@link TokenMasks} on the spurious
 * words of each text's label, and groups equal to the labels (spec §8.1).
 */
public final class TextSplits {
    /** The description of every text dataset's {@code tokenizer} parameter ({@link TextTokenizer#forDataset}). */
    public static final String TOKENIZER_HELP = "the tokenizer.json (or a BERT checkpoint folder holding one) to"
            + " tokenise with; empty: the bundled bert-base-uncased one (minilm's)";

    private TextSplits() {}

    /**
     * @param name the dataset's name (and prefix of its splits' names)
     * @param train the training texts
     * @param test the test texts
     * @param tokenizer the tokenizer (its fingerprint becomes the {@link ExplanationDataset#TOKENIZER} property)
     * @param words the spurious words of each label
     * @param length tokens per text
     * @param checksum the source data's checksum
     * @return the tokenised dataset
     */
    public static ExplanationDataset dataset(String name, List<LabelledText> train, List<LabelledText> test,
            TextTokenizer tokenizer, SpuriousWords words, int length, String checksum) {
        return new ExplanationDataset(name, tokenised(name + "/train", train, tokenizer, words, length),
                tokenised(name + "/test", test, tokenizer, words, length), checksum,
                Map.of(ExplanationDataset.TOKENIZER, tokenizer.fingerprint()));
    }

    /**
     * As {@link #dataset(String, List, List, TextTokenizer, SpuriousWords, int, String)}, with a validation split.
     *
     * @param name the dataset's name
     * @param train the training texts
     * @param validation the validation texts (for a decoy dataset: decoyed as the test texts are); empty = none
     * @param test the test texts
     * @param tokenizer the tokenizer
     * @param words the spurious words of each label
     * @param length tokens per text
     * @param checksum the source data's checksum
     * @return the tokenised dataset
     */
    public static ExplanationDataset dataset(String name, List<LabelledText> train, List<LabelledText> validation,
            List<LabelledText> test, TextTokenizer tokenizer, SpuriousWords words, int length, String checksum) {
        ExplanationDataset d = dataset(name, train, test, tokenizer, words, length, checksum);
        return validation.isEmpty() ? d
                : d.withValidation(tokenised(name + "/validation", validation, tokenizer, words, length));
    }

    /**
     * @param name the split's name
     * @param texts the labelled texts
     * @param tokenizer the tokenizer
     * @param words the spurious words of each label
     * @param length tokens per text (longer texts are truncated, shorter padded)
     * @return the tokenised split, 2 classes and 2 groups
     */
    public static DataSplit tokenised(String name, List<LabelledText> texts, TextTokenizer tokenizer,
            SpuriousWords words, int length) {
        int n = texts.size();
        float[] inputs = new float[n * length];
        float[] masks = new float[n * length];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            LabelledText r = texts.get(i);
            TokenizedText t = tokenizer.encode(r.text(), length);
            float[] m = TokenMasks.of(t, words.forLabel(r.label()));
            for (int k = 0; k < length; k++) {
                inputs[i * length + k] = t.ids()[k];
            }
            System.arraycopy(m, 0, masks, i * length, length);
            labels[i] = r.label();
        }
        return new DataSplit(name, new int[] {length}, inputs, masks, labels, labels.clone(), 2, 2);
    }

    /**
     * @param texts the texts
     * @param n how many to keep
     * @param dataset the dataset's name, for the message
     * @param split {@code train} or {@code test}, for the message
     * @return the first {@code n}
     * @throws MlxException (user error) if there are fewer than {@code n}
     */
    public static List<LabelledText> first(List<LabelledText> texts, int n, String dataset, String split) {
        if (n > texts.size()) {
            throw MlxException.userError(dataset + ": " + split + " has only " + texts.size() + " texts, " + n
                    + " requested; lower " + split + "-size");
        }
        return texts.subList(0, n);
    }

    /**
     * @param texts the texts
     * @param seed the shuffle's seed
     * @return a shuffled copy (Fisher-Yates with {@link SplittableRandom})
     */
    public static List<LabelledText> shuffled(List<LabelledText> texts, long seed) {
        List<LabelledText> copy = new ArrayList<>(texts);
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = copy.size() - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            LabelledText tmp = copy.get(i);
            copy.set(i, copy.get(j));
            copy.set(j, tmp);
        }
        return copy;
    }

    /**
     * @param trainSize training texts
     * @param fraction the dataset's {@code validation-fraction}
     * @return validation texts: {@code round(trainSize * fraction)}, at least one when {@code fraction > 0}
     */
    public static int validationSize(int trainSize, double fraction) {
        return fraction == 0 ? 0 : (int) Math.max(1, Math.round(trainSize * fraction));
    }

    /**
     * Draws disjoint training, test and validation texts from one pool, with a fixed seed: the pool
     * shuffled once, training = the first {@code trainSize}, test = the next {@code testSize} (so both
     * are what {@link #trainTest} draws), validation = the {@code validationSize} after those.
     *
     * @param all the pool
     * @param trainSize training texts
     * @param validationSize validation texts (0 = none)
     * @param testSize test texts
     * @param seed the shuffle's seed
     * @param dataset the dataset's name, for messages
     * @return train, test, validation
     */
    public static List<List<LabelledText>> trainTestValidation(List<LabelledText> all, int trainSize,
            int validationSize, int testSize, long seed, String dataset) {
        if ((long) trainSize + testSize + validationSize > all.size()) {
            throw MlxException.userError(dataset + ": train-size + test-size + " + validationSize
                    + " validation texts = " + ((long) trainSize + testSize + validationSize) + " exceeds the "
                    + all.size() + " texts; lower train-size, test-size or validation-fraction");
        }
        List<LabelledText> s = shuffled(all, seed);
        int t = trainSize + testSize;
        return List.of(s.subList(0, trainSize), s.subList(trainSize, t), s.subList(t, t + validationSize));
    }

    /**
     * Splits one corpus into the first {@code trainSize} and the next {@code testSize} texts of its
     * shuffle.
     *
     * @param all the corpus, in a fixed order
     * @param trainSize training texts
     * @param testSize test texts
     * @param seed the split's seed
     * @param dataset the dataset's name, for the message
     * @return {@code [train, test]}
     * @throws MlxException (user error) if the corpus is too small
     */
    public static List<List<LabelledText>> trainTest(List<LabelledText> all, int trainSize, int testSize, long seed,
            String dataset) {
        if ((long) trainSize + testSize > all.size()) {
            throw MlxException.userError(dataset + ": train-size + test-size = " + (trainSize + testSize)
                    + " exceeds the " + all.size() + " texts; lower train-size or test-size");
        }
        List<LabelledText> s = shuffled(all, seed);
        return List.of(s.subList(0, trainSize), s.subList(trainSize, trainSize + testSize));
    }
}
