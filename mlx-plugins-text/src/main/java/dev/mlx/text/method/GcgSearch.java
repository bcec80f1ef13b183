package dev.mlx.text.method;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.mlx.api.train.Model;
import dev.mlx.api.train.OwnedArrays;
import dev.mlx.api.train.TokenEmbeddings;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.SplittableRandom;

/**
 * The greedy coordinate search of Adv-R4 on text: Greedy Coordinate Gradient (GCG; Zou et al.,
 * "Universal and Transferable Adversarial Attacks on Aligned Language Models", 2023) as the R4
 * paper's Appendix C adapts it, for the objective
 *
 * <pre>
 * J(x)  = sum_{t, d} (M[t] * G(x)[t, d])^2        G = dL/dE at E = W_emb[x]     ({@link TokenGradients})
 * </pre>
 *
 * <b>Selection {@code gradient} (GCG).</b> Replacing {@code x_t} by {@code v} moves row {@code t} of
 * {@code E} by {@code W_emb[v] - W_emb[x_t]}, so to first order
 *
 * <pre>
 * J(x with x_t = v) - J(x)  ~  gain(t, v) = (W_emb[v] - W_emb[x_t]) . dJ/dE[t]
 * </pre>
 *
 * where {@code dJ/dE} is a gradient of a gradient (double backprop, {@link Model#gradient} around
 * {@link TokenEmbeddings#embeddingGradient}). For each masked position in turn: the {@code candidates}
 * pool ids with the largest gain (ties: the earlier pool id; the current id is not a candidate; with
 * {@code top > candidates}, {@code candidates} ids drawn from the seed among the {@code top} best, as
 * GCG samples its batch) are scored exactly together with the current id in one batch, and the best is kept (the current id
 * on ties), so J never decreases. {@code steps} passes; each position sees the sequence as the
 * earlier positions left it (the paper's "updated sequence"; the reference scored every position
 * against the original one, spec §10.3). Deterministic for {@code top <= candidates}, seeded otherwise.
 *
 * <p><b>Selection {@code random}.</b> The candidates are {@code candidates} pool ids drawn without
 * replacement from the seed instead; everything else is the same.
 *
 * <p>Examples are independent ({@code G} of example n depends on example n only), so the search
 * handles the batch in rounds: round r updates the r-th masked position of every example that has
 * one, with one gradient pass for all of them and one exact-scoring batch. The attention mask
 * ({@code ids != pad}) is applied in every forward pass; the pool never holds the pad id, so
 * substitutions do not change it. Search values are constants for the penalty (Danskin); every
 * evaluation's graph is freed when it ends.
 *
 * @param candidates ids scored exactly per masked position (besides the current one)
 * @param steps passes over the masked positions
 * @param selection how the candidates are chosen
 * @param top with {@code gradient}: the candidates are drawn uniformly without replacement (from the
 *     seed) among the {@code top} ids with the largest gain, as GCG samples its batch from the
 *     top-k substitutions; {@code top <= candidates} takes the top {@code candidates} ids themselves
 */
record GcgSearch(int candidates, int steps, Selection selection, int top) {

    /** The search whose candidates are exactly the top {@code candidates} ids by gain ({@code top = candidates}). */
    GcgSearch(int candidates, int steps, Selection selection) {
        this(candidates, steps, selection, candidates);
    }

    /** How the candidates of a position are chosen from the pool. */
    enum Selection {
        /** The top {@code candidates} by linearised gain (GCG). */
        GRADIENT,
        /** {@code candidates} ids drawn uniformly without replacement. */
        RANDOM
    }

    /**
     * @param model the model (for the gradient of J with respect to the embeddings)
     * @param ids the sequences
     * @param masks their masks
     * @param labels the labels {@code [B]}
     * @param pool the replacement ids (never the pad id)
     * @param seed the seed of the candidate draws ({@code random} only)
     * @param manager where temporaries are created (each evaluation in its own sub-manager)
     * @return the adversarial sequences (the input rows are not modified)
     */
    long[][] maximise(Model model, long[][] ids, float[][] masks, NDArray labels, long[] pool, long seed,
            NDManager manager) {
        TokenEmbeddings te = model.tokenEmbeddings();
        long[] y = labels.toType(DataType.INT64, false).toLongArray();
        long[][] current = new long[ids.length][];
        int[][] masked = new int[ids.length][];
        SplittableRandom[] randoms = new SplittableRandom[ids.length];
        SplittableRandom seeds = new SplittableRandom(seed);
        int rounds = 0;
        for (int i = 0; i < ids.length; i++) {
            current[i] = ids[i].clone();
            masked[i] = TokenRows.masked(masks[i]);
            randoms[i] = seeds.split();
            rounds = Math.max(rounds, masked[i].length);
        }
        if (pool.length == 0) {
            return current;
        }
        try (NDManager scope = manager.newSubManager()) {
            NDArray poolEmbeddings = selection == Selection.GRADIENT ? poolEmbeddings(te, pool, scope) : null;
            for (int step = 0; step < steps; step++) {
                for (int r = 0; r < rounds; r++) {
                    List<Integer> active = new ArrayList<>();
                    for (int i = 0; i < ids.length; i++) {
                        if (masked[i].length > r) {
                            active.add(i);
                        }
                    }
                    long[][] options = new long[active.size()][];
                    if (selection == Selection.GRADIENT) {
                        double[][] gains = gains(model, rows(current, active), positions(masked, active, r),
                                rowsOf(masks, active), labelsOf(y, active), poolEmbeddings, scope);
                        for (int a = 0; a < active.size(); a++) {
                            int i = active.get(a);
                            long[] best = topK(gains[a], pool, current[i][masked[i][r]], Math.max(top, candidates));
                            options[a] = withCurrent(current[i][masked[i][r]], best.length > candidates
                                    ? drawn(best, current[i][masked[i][r]], candidates, randoms[i]) : best);
                        }
                    } else {
                        for (int a = 0; a < active.size(); a++) {
                            int i = active.get(a);
                            options[a] = withCurrent(current[i][masked[i][r]],
                                    drawn(pool, current[i][masked[i][r]], candidates, randoms[i]));
                        }
                    }
                    double[][] exact = scores(te, rows(current, active), positions(masked, active, r), options,
                            rowsOf(masks, active), labelsOf(y, active), scope);
                    for (int a = 0; a < active.size(); a++) {
                        int i = active.get(a);
                        current[i][masked[i][r]] = options[a][argmax(exact[a])];
                    }
                }
            }
        }
        return current;
    }

    /** @return {@code W_emb[pool]}, {@code [P, D]}, a constant */
    static NDArray poolEmbeddings(TokenEmbeddings te, long[] pool, NDManager manager) {
        NDArray poolIds = TokenRows.array(manager, new long[][] {pool});
        NDArray e = te.embed(poolIds).stopGradient();
        return e.reshape(new Shape(pool.length, e.getShape().get(2)));
    }

    /**
     * The linearised gains of GCG: for every row n, with {@code t = positions[n]},
     * {@code gain[n][p] = (W_emb[pool[p]] - W_emb[rows[n][t]]) . dJ/dE[n, t]}.
     *
     * @param model the model
     * @param rows sequences {@code [N][L]}
     * @param positions one position per sequence
     * @param masks the masks {@code [N][L]} of J
     * @param labels the labels
     * @param poolEmbeddings {@code W_emb[pool]} ({@link #poolEmbeddings})
     * @param manager where temporaries are created (freed before returning)
     * @return {@code [N][P]}
     */
    static double[][] gains(Model model, long[][] rows, int[] positions, float[][] masks, long[] labels,
            NDArray poolEmbeddings, NDManager manager) {
        TokenEmbeddings te = model.tokenEmbeddings();
        try (NDManager scope = manager.newSubManager()) {
            NDArray ids = TokenRows.array(scope, rows);
            NDArray m = TokenRows.array(scope, masks);
            NDArray y = OwnedArrays.of(scope, labels);
            NDArray e = te.embed(ids).stopGradient();
            NDArray dj = model.gradient(e, point -> TokenGradients.objective(te, ids, point, y, m));
            int n = rows.length;
            int length = rows[0].length;
            int d = (int) e.getShape().get(2);
            double[] djFlat = dj.toType(DataType.FLOAT64, false).toDoubleArray();
            double[] eFlat = e.toType(DataType.FLOAT64, false).toDoubleArray();
            double[] g = new double[n * d];
            double[] base = new double[n];
            for (int i = 0; i < n; i++) {
                int offset = (i * length + positions[i]) * d;
                System.arraycopy(djFlat, offset, g, i * d, d);
                for (int k = 0; k < d; k++) {
                    base[i] += eFlat[offset + k] * djFlat[offset + k];
                }
            }
            NDArray gArray = OwnedArrays.of(scope, g, new Shape(n, d), poolEmbeddings.getDataType());
            double[] dots = poolEmbeddings.matMul(gArray.transpose()).toType(DataType.FLOAT64, false).toDoubleArray();
            int p = (int) poolEmbeddings.getShape().get(0);
            double[][] gains = new double[n][p];
            for (int v = 0; v < p; v++) {
                for (int i = 0; i < n; i++) {
                    gains[i][v] = dots[v * n + i] - base[i];
                }
            }
            return gains;
        }
    }

    /**
     * @return the {@code k} pool ids with the largest gains, best first (ties: the earlier pool
     *     index), leaving out {@code currentId}
     */
    static long[] topK(double[] gains, long[] pool, long currentId, int k) {
        PriorityQueue<Integer> worstFirst = new PriorityQueue<>((a, b) -> gains[a] != gains[b]
                ? Double.compare(gains[a], gains[b]) : Integer.compare(b, a));
        for (int p = 0; p < pool.length; p++) {
            if (pool[p] == currentId) {
                continue;
            }
            worstFirst.add(p);
            if (worstFirst.size() > k) {
                worstFirst.poll();
            }
        }
        long[] best = new long[worstFirst.size()];
        for (int c = best.length - 1; c >= 0; c--) {
            best[c] = pool[worstFirst.poll()];
        }
        return best;
    }

    private static long[] drawn(long[] pool, long currentId, int k, SplittableRandom random) {
        long[] others = java.util.Arrays.stream(pool).filter(v -> v != currentId).toArray();
        int n = Math.min(k, others.length);
        long[] chosen = new long[n];
        for (int c = 0; c < n; c++) {
            int j = c + random.nextInt(others.length - c);
            long tmp = others[c];
            others[c] = others[j];
            others[j] = tmp;
            chosen[c] = others[c];
        }
        return chosen;
    }

    private static long[] withCurrent(long currentId, long[] others) {
        long[] options = new long[others.length + 1];
        options[0] = currentId;
        System.arraycopy(others, 0, options, 1, others.length);
        return options;
    }

    /** @return the index of the largest value, the first on ties */
    static int argmax(double[] values) {
        int best = 0;
        for (int c = 1; c < values.length; c++) {
            if (values[c] > values[best]) {
                best = c;
            }
        }
        return best;
    }

    /**
     * Exact scores: {@code J(rows[n] with rows[n][positions[n]] = options[n][c])} for every n and c,
     * all in one batch.
     *
     * @return {@code [N][|options[n]|]}
     */
    static double[][] scores(TokenEmbeddings te, long[][] rows, int[] positions, long[][] options, float[][] masks,
            long[] labels, NDManager manager) {
        List<long[]> variants = new ArrayList<>();
        List<float[]> variantMasks = new ArrayList<>();
        List<Long> variantLabels = new ArrayList<>();
        for (int n = 0; n < rows.length; n++) {
            for (long option : options[n]) {
                long[] row = rows[n].clone();
                row[positions[n]] = option;
                variants.add(row);
                variantMasks.add(masks[n]);
                variantLabels.add(labels[n]);
            }
        }
        try (NDManager scope = manager.newSubManager()) {
            NDArray ids = TokenRows.array(scope, variants.toArray(new long[0][]));
            NDArray m = TokenRows.array(scope, variantMasks.toArray(new float[0][]));
            NDArray y = OwnedArrays.of(scope, variantLabels.stream().mapToLong(Long::longValue).toArray());
            NDArray e = te.embed(ids).stopGradient();
            double[] j = TokenGradients.objective(te, ids, e, y, m).toType(DataType.FLOAT64, false).toDoubleArray();
            double[][] result = new double[rows.length][];
            int k = 0;
            for (int n = 0; n < rows.length; n++) {
                result[n] = new double[options[n].length];
                for (int c = 0; c < options[n].length; c++) {
                    result[n][c] = j[k++];
                }
            }
            return result;
        }
    }

    /** @return {@code J} of each row (its current value) */
    static double[] objective(TokenEmbeddings te, long[][] rows, float[][] masks, long[] labels, NDManager manager) {
        long[][] options = new long[rows.length][];
        int[] positions = new int[rows.length];
        for (int n = 0; n < rows.length; n++) {
            options[n] = new long[] {rows[n][0]};
        }
        double[][] s = scores(te, rows, positions, options, masks, labels, manager);
        double[] j = new double[rows.length];
        for (int n = 0; n < rows.length; n++) {
            j[n] = s[n][0];
        }
        return j;
    }

    private static long[][] rows(long[][] all, List<Integer> active) {
        return active.stream().map(i -> all[i]).toArray(long[][]::new);
    }

    private static float[][] rowsOf(float[][] all, List<Integer> active) {
        return active.stream().map(i -> all[i]).toArray(float[][]::new);
    }

    private static int[] positions(int[][] masked, List<Integer> active, int r) {
        return active.stream().mapToInt(i -> masked[i][r]).toArray();
    }

    private static long[] labelsOf(long[] y, List<Integer> active) {
        return active.stream().mapToLong(i -> y[i]).toArray();
    }
}
