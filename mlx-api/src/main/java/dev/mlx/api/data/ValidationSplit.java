package dev.mlx.api.data;

import dev.mlx.api.error.MlxException;
import dev.mlx.api.param.ParameterSchema;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * How datasets carve a validation split from their training data: a fixed-seed random subset of
 * the training examples, the same for every run seed, so that restarts and sweep trials are
 * selected on the same held-out examples. The test data is never touched.
 *
 * <p>Decoy datasets must build the held-out examples with their <em>test-time</em> decoy
 * (uncorrelated with the label): they pick the indices here before the decoy is applied, and
 * decoy them with the test recipe and {@link #decoySeed(long)}.
 */
public final class ValidationSplit {
    /** The dataset parameter giving the fraction of the training data held out. */
    public static final String FRACTION = "validation-fraction";
    /** The seed of the held-out subset; fixed, independent of the run seed. */
    public static final long SEED = 0x76616C6964L; // "valid"

    private ValidationSplit() {}

    /**
     * @param builder a dataset's parameter schema under construction
     * @param def the default fraction
     * @param of what the fraction is of, for the description (e.g. "the 60,000 training images")
     * @return the builder, with {@value #FRACTION} added ({@code 0} = no validation split)
     */
    public static ParameterSchema.Builder addFraction(ParameterSchema.Builder builder, double def, String of) {
        return builder.addDouble(FRACTION, def, 0, 0.5, "fraction of " + of + " held out for validation, drawn with"
                + " a fixed seed (0 = no validation split)");
    }

    /**
     * The held-out examples of a training set of {@code n}.
     *
     * @param dataset the dataset's name, for messages
     * @param n the number of training examples
     * @param fraction the fraction to hold out, in {@code [0, 0.5]}
     * @return the held-out indices in increasing order ({@code round(n * fraction)} of them, at least 1 when
     *     {@code fraction > 0})
     * @throws MlxException (user error) when nothing would be left to train on
     */
    public static int[] heldOut(String dataset, int n, double fraction) {
        if (!(fraction >= 0 && fraction <= 0.5)) {
            throw MlxException.userError(dataset + ": " + FRACTION + " is " + fraction + "; use a value in [0, 0.5]");
        }
        if (fraction == 0) {
            return new int[0];
        }
        int count = (int) Math.max(1, Math.round(n * fraction));
        if (count >= n) {
            throw MlxException.userError(dataset + ": " + FRACTION + "=" + fraction + " of " + n + " training examples"
                    + " leaves none to train on; use more data or " + FRACTION + "=0");
        }
        // A partial Fisher-Yates shuffle with the fixed seed: the first `count` positions are the sample.
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        SplittableRandom random = new SplittableRandom(SEED);
        for (int i = 0; i < count; i++) {
            int j = i + random.nextInt(n - i);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        int[] held = Arrays.copyOf(order, count);
        Arrays.sort(held);
        return held;
    }

    /**
     * @param n the number of training examples
     * @param heldOut sorted held-out indices ({@link #heldOut})
     * @return the other indices, in increasing order
     */
    public static int[] remaining(int n, int[] heldOut) {
        int[] rest = new int[n - heldOut.length];
        int h = 0;
        int r = 0;
        for (int i = 0; i < n; i++) {
            if (h < heldOut.length && heldOut[h] == i) {
                h++;
            } else {
                rest[r++] = i;
            }
        }
        return rest;
    }

    /**
     * Holds out a fraction of a built dataset's training split, as is, for datasets whose training
     * examples carry no synthetic decoy (for decoy datasets, pick the indices with {@link #heldOut} before
     * decoying and decoy the held-out examples as at test time instead).
     *
     * @param dataset a dataset without a validation split
     * @param fraction the fraction of the training examples to hold out ({@code 0}: the dataset unchanged)
     * @return the dataset with the remaining training examples and the held-out ones as {@code <name>/validation}
     */
    public static ExplanationDataset carve(ExplanationDataset dataset, double fraction) {
        DataSplit train = dataset.train();
        int[] held = heldOut(dataset.name(), train.size(), fraction);
        if (held.length == 0) {
            return dataset;
        }
        return dataset.withTrain(train.select(train.name(), remaining(train.size(), held)))
                .withValidation(train.select(dataset.name() + "/validation", held));
    }

    /**
     * @param seed the run's dataset seed
     * @return the seed of the validation examples' test-time decoys (a stream distinct from the training and
     *     test decoys of the same seed)
     */
    public static long decoySeed(long seed) {
        return seed ^ 0x5EEDF00DL;
    }
}
