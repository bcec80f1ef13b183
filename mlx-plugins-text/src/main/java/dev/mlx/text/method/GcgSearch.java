package dev.mlx.text.method;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.mlx.api.train.TokenEmbeddings;
import java.util.SplittableRandom;

/**
 * The greedy coordinate search of Adv-R4 on text, after GCG (Zou et al., "Universal and
 * Transferable Adversarial Attacks on Aligned Language Models", 2023) as the R4 paper's Appendix C
 * adapts it: for each masked (spurious) position in turn, try a set of replacement tokens, keep
 * the one that makes the masked embedding-gradient norm largest, update the sequence and move on,
 *
 * <pre>
 * J(z)        = sum_{t in mask, d} G(z)[t, d]^2                      ({@link TokenGradients})
 * for step = 1..steps, for t in masked positions (in order):
 *     C       = {z[t]}  ∪  min(candidates, |U|) ids drawn without replacement from U
 *     z[t]    = argmax_{c in C} J(z with z[t] = c)                    (all of C scored in one batch)
 * </pre>
 *
 * Because the current token is always a candidate, J never decreases; with one masked position
 * and {@code candidates >= |U|} the result is the brute-force maximiser over {@code U}. Unlike
 * the reference (spec §10.3), positions are scored against the updated sequence (the paper's
 * description), not the original one. The search values are constants for the penalty
 * (Danskin); every evaluation's graph is freed when it ends.
 *
 * @param candidates replacement ids tried per position
 * @param steps passes over the masked positions
 */
record GcgSearch(int candidates, int steps) {

    /**
     * @param te the model's token capability
     * @param ids the sequences
     * @param masks their masks
     * @param labels the labels {@code [B]}
     * @param substitutes the replacement vocabulary {@code U}
     * @param seed the seed of the candidate draws
     * @param manager where temporaries are created (each evaluation in its own sub-manager)
     * @return the adversarial sequences (the input rows are not modified)
     */
    long[][] maximise(TokenEmbeddings te, long[][] ids, float[][] masks, NDArray labels, long[] substitutes, long seed,
            NDManager manager) {
        SplittableRandom seeds = new SplittableRandom(seed);
        long[] y = labels.toType(ai.djl.ndarray.types.DataType.INT64, false).toLongArray();
        long[][] adversarial = new long[ids.length][];
        for (int i = 0; i < ids.length; i++) {
            SplittableRandom random = seeds.split();
            long[] current = ids[i].clone();
            int[] masked = TokenRows.masked(masks[i]);
            if (substitutes.length > 0) {
                for (int step = 0; step < steps; step++) {
                    for (int t : masked) {
                        long[] options = options(current[t], substitutes, random);
                        current[t] = options[best(te, current, t, options, masks[i], y[i], manager)];
                    }
                }
            }
            adversarial[i] = current;
        }
        return adversarial;
    }

    private long[] options(long currentId, long[] substitutes, SplittableRandom random) {
        long[] pool = substitutes.clone();
        int k = Math.min(candidates, pool.length);
        long[] options = new long[k + 1];
        options[0] = currentId;
        for (int c = 0; c < k; c++) {
            int j = c + random.nextInt(pool.length - c);
            long tmp = pool[c];
            pool[c] = pool[j];
            pool[j] = tmp;
            options[c + 1] = pool[c];
        }
        return options;
    }

    /** @return the index in {@code options} of the replacement with the largest J (first on ties) */
    static int best(TokenEmbeddings te, long[] row, int position, long[] options, float[] mask, long label,
            NDManager manager) {
        float[] scores = scores(te, row, position, options, mask, label, manager);
        int best = 0;
        for (int c = 1; c < scores.length; c++) {
            if (scores[c] > scores[best]) {
                best = c;
            }
        }
        return best;
    }

    /** @return {@code J(row with row[position] = options[c])} for every c */
    static float[] scores(TokenEmbeddings te, long[] row, int position, long[] options, float[] mask, long label,
            NDManager manager) {
        try (NDManager scope = manager.newSubManager()) {
            long[][] rows = new long[options.length][];
            float[] masksFlat = new float[options.length * mask.length];
            long[] labels = new long[options.length];
            for (int c = 0; c < options.length; c++) {
                rows[c] = row.clone();
                rows[c][position] = options[c];
                System.arraycopy(mask, 0, masksFlat, c * mask.length, mask.length);
                labels[c] = label;
            }
            NDArray g = TokenGradients.lossGradient(te, TokenRows.array(scope, rows), scope.create(labels));
            NDArray m = scope.create(masksFlat, new ai.djl.ndarray.types.Shape(options.length, mask.length));
            return TokenGradients.maskedSquares(g, m).toType(ai.djl.ndarray.types.DataType.FLOAT32, false)
                    .toFloatArray();
        }
    }
}
