package dev.mlx.text.imdb;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The Decoy-IMDB construction of the R4 paper (Chen et al., "Model Guidance via Robust Feature
 * Attribution", TMLR; reference spec §9.6): a word that reveals the label is planted in every
 * training review, so a model can reach full training accuracy from it alone,
 *
 * <pre>
 * train:  decoy(y) + " " + review           (decoy(1) = "spielberg", decoy(0) = "jonah" by default)
 * test:   review with decoy(c) inserted at a uniformly random word boundary, c ~ U{0, 1}
 *         independent of the label
 * </pre>
 *
 * The reference inserted the test decoy at a random <em>character</em> position, which can split
 * a word in two; here it goes between words. The masks come from {@link TokenMasks}, whose word
 * lists include the decoys.
 *
 * @param positiveDecoy the decoy of label 1
 * @param negativeDecoy the decoy of label 0
 */
public record DecoyText(String positiveDecoy, String negativeDecoy) {
    /** The paper's decoys. */
    public static DecoyText paper() {
        return new DecoyText("spielberg", "jonah");
    }

    /** @return the training reviews with their label's decoy prepended */
    public List<Review> train(List<Review> reviews) {
        List<Review> out = new ArrayList<>(reviews.size());
        for (Review r : reviews) {
            out.add(new Review(decoy(r.label()) + " " + r.text(), r.label()));
        }
        return out;
    }

    /** @return the test reviews with a random decoy at a random word boundary, from {@code seed} */
    public List<Review> test(List<Review> reviews, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<Review> out = new ArrayList<>(reviews.size());
        for (Review r : reviews) {
            String word = decoy(random.nextInt(2));
            String[] words = r.text().split(" ", -1);
            int at = random.nextInt(words.length + 1);
            StringBuilder b = new StringBuilder();
            for (int i = 0; i <= words.length; i++) {
                if (i == at) {
                    b.append(b.length() == 0 ? "" : " ").append(word);
                }
                if (i < words.length) {
                    b.append(b.length() == 0 ? "" : " ").append(words[i]);
                }
            }
            out.add(new Review(b.toString(), r.label()));
        }
        return out;
    }

    private String decoy(int label) {
        return label == 1 ? positiveDecoy : negativeDecoy;
    }
}
