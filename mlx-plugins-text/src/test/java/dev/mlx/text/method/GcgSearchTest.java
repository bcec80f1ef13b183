package dev.mlx.text.method;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.mlx.api.train.Batch;
import dev.mlx.api.train.OwnedArrays;
import dev.mlx.api.train.TokenEmbeddings;
import dev.mlx.engine.MlxEngine;
import dev.mlx.engine.nn.Network;
import dev.mlx.engine.nn.Parameter;
import dev.mlx.engine.testkit.SharedEngine;
import java.nio.DoubleBuffer;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The GCG search of token-adv-r4: its linearised gain, its agreement with brute force, its monotonicity. */
class GcgSearchTest {
    private static final MlxEngine ENGINE = SharedEngine.get();
    /** The masked (decoy) position of every {@link TinyText} sequence. */
    private static final int T = 1;

    private static Network tinyBert() {
        return ENGINE.networks().create(TinyText.bert(), new int[] {TinyText.LENGTH}, 3, Map.of(), DataType.FLOAT64);
    }

    /** The replacement pool: every id but pad, [CLS] and [SEP]. */
    private static long[] pool() {
        long[] pool = new long[TinyText.VOCAB - 3];
        for (int v = 0; v < pool.length; v++) {
            pool[v] = v + 3;
        }
        return pool;
    }

    private static NDArray wordEmbeddings(Network net) {
        for (Parameter p : net.parameters()) {
            if (p.name().endsWith("embeddings.word_embeddings.weight")) {
                return p.array();
            }
        }
        throw new AssertionError("no word-embedding table");
    }

    private static double objective(TokenEmbeddings te, long[] row, float[] mask, long label, NDManager m) {
        return GcgSearch.objective(te, new long[][] {row}, new float[][] {mask}, new long[] {label}, m)[0];
    }

    /** J(x_t = v) for every v in the pool: the brute-force answer. */
    private static double[] bruteForce(TokenEmbeddings te, long[] row, float[] mask, long label, long[] pool,
            NDManager m) {
        return GcgSearch.scores(te, new long[][] {row}, new int[] {T}, new long[][] {pool}, new float[][] {mask},
                new long[] {label}, m)[0];
    }

    @Test
    void theLinearisedGainIsTheDirectionalDerivativeOfJ() {
        try (Network net = tinyBert(); NDManager m = ENGINE.manager().newSubManager()) {
            TokenEmbeddings te = net.tokenEmbeddings();
            Batch batch = TinyText.batch(m, 2, 5);
            long[][] ids = TokenRows.ids(batch.inputs());
            float[][] masks = TokenRows.masks(batch.masks());
            long[] y = batch.labels().toLongArray();
            long[] pool = {7, 20, 33};
            double[][] gains = GcgSearch.gains(net, ids, new int[] {T, T}, masks, y,
                    GcgSearch.poolEmbeddings(te, pool, m), m);
            double[] table = wordEmbeddings(net).toDoubleArray();
            int d = table.length / TinyText.VOCAB;
            double h = 1e-5;
            int checked = 0;
            for (int i = 0; i < ids.length; i++) {
                for (int p = 0; p < pool.length; p++) {
                    double[] direction = new double[ids[i].length * d];
                    for (int k = 0; k < d; k++) {
                        direction[T * d + k] = table[(int) pool[p] * d + k] - table[(int) ids[i][T] * d + k];
                    }
                    double fd = (shifted(te, ids[i], masks[i], y[i], direction, h, m)
                            - shifted(te, ids[i], masks[i], y[i], direction, -h, m)) / (2 * h);
                    double err = Math.abs(fd - gains[i][p]) / Math.max(1e-10, Math.abs(fd) + Math.abs(gains[i][p]));
                    assertTrue(err < 1e-5, "example " + i + ", id " + pool[p] + ": gain " + gains[i][p] + " vs FD " + fd);
                    assertTrue(Math.abs(gains[i][p]) > 1e-12, "a vanishing gain proves nothing");
                    checked++;
                }
            }
            assertEquals(6, checked);
        }
    }

    /** J at {@code word_emb[row] + h * direction} (the attention mask from {@code row}). */
    private static double shifted(TokenEmbeddings te, long[] row, float[] mask, long label, double[] direction,
            double h, NDManager m) {
        try (NDManager s = m.newSubManager()) {
            NDArray ids = TokenRows.array(s, new long[][] {row});
            NDArray e = te.embed(ids).stopGradient();
            NDArray shift = OwnedArrays.of(s, direction, e.getShape(), e.getDataType());
            NDArray point = e.add(shift.mul(OwnedArrays.scalar(s, h, e.getDataType())));
            return TokenGradients.objective(te, ids, point, OwnedArrays.of(s, new long[] {label}),
                    TokenRows.array(s, new float[][] {mask})).toType(DataType.FLOAT64, false).getDouble(0);
        }
    }

    @Test
    void gradientGuidedSearchFindsThePlantedTokenThatBruteForceFinds() {
        try (Network net = tinyBert(); NDManager m = ENGINE.manager().newSubManager()) {
            TokenEmbeddings te = net.tokenEmbeddings();
            Batch batch = TinyText.batch(m, 1, 5);
            long[][] ids = TokenRows.ids(batch.inputs());
            float[][] masks = TokenRows.masks(batch.masks());
            long[] y = batch.labels().toLongArray();
            long[] pool = pool();
            // Plant token 29: its embedding moved from the decoy's along dJ/dE[t], so that the
            // substitution 29 raises the masked gradient norm most.
            long planted = 29;
            long[] probe = {planted};
            double[] table = wordEmbeddings(net).toDoubleArray();
            int d = table.length / TinyText.VOCAB;
            double[] direction = direction(net, te, ids, masks, y, m, d);
            for (int k = 0; k < d; k++) {
                table[(int) planted * d + k] = table[(int) ids[0][T] * d + k] + 0.1 * direction[k];
            }
            wordEmbeddings(net).set(DoubleBuffer.wrap(table));
            double[] all = bruteForce(te, ids[0], masks[0], y[0], pool, m);
            long bruteForce = pool[GcgSearch.argmax(all)];
            assertEquals(planted, bruteForce, "the planted token must be the brute-force optimum; J: "
                    + java.util.Arrays.toString(all) + " probe " + probe[0]);
            long[][] gcg = new GcgSearch(3, 1, GcgSearch.Selection.GRADIENT).maximise(net, ids, masks,
                    batch.labels(), pool, 0, m);
            assertEquals(bruteForce, gcg[0][T], "GCG with 3 candidates of 37 vs brute force");
            long[][] exhaustive = new GcgSearch(pool.length, 1, GcgSearch.Selection.RANDOM).maximise(net, ids, masks,
                    batch.labels(), pool, 0, m);
            assertEquals(bruteForce, exhaustive[0][T], "random selection with every candidate is brute force");
            for (int t = 0; t < ids[0].length; t++) {
                if (t != T) {
                    assertEquals(ids[0][t], gcg[0][t], "only the masked position may change");
                }
            }
        }
    }

    /** The unit vector of dJ/dE at the masked position of example 0. */
    private static double[] direction(Network net, TokenEmbeddings te, long[][] ids, float[][] masks, long[] y,
            NDManager m, int d) {
        try (NDManager s = m.newSubManager()) {
            NDArray idArray = TokenRows.array(s, ids);
            NDArray e = te.embed(idArray).stopGradient();
            NDArray dj = net.gradient(e, point -> TokenGradients.objective(te, idArray, point, OwnedArrays.of(s, y),
                    TokenRows.array(s, masks)));
            double[] flat = dj.toType(DataType.FLOAT64, false).toDoubleArray();
            double[] g = new double[d];
            double norm = 0;
            for (int k = 0; k < d; k++) {
                g[k] = flat[T * d + k];
                norm += g[k] * g[k];
            }
            norm = Math.sqrt(norm);
            assertTrue(norm > 0, "dJ/dE must not vanish");
            for (int k = 0; k < d; k++) {
                g[k] /= norm;
            }
            return g;
        }
    }

    @Test
    void onTheUnplantedModelGcgWithTheWholePoolIsBruteForce() {
        try (Network net = tinyBert(); NDManager m = ENGINE.manager().newSubManager()) {
            TokenEmbeddings te = net.tokenEmbeddings();
            Batch batch = TinyText.batch(m, 3, 7);
            long[][] ids = TokenRows.ids(batch.inputs());
            float[][] masks = TokenRows.masks(batch.masks());
            long[] y = batch.labels().toLongArray();
            long[] pool = pool();
            long[][] gcg = new GcgSearch(pool.length, 1, GcgSearch.Selection.GRADIENT).maximise(net, ids, masks,
                    batch.labels(), pool, 0, m);
            for (int i = 0; i < ids.length; i++) {
                double[] all = bruteForce(te, ids[i], masks[i], y[i], pool, m);
                assertEquals(pool[GcgSearch.argmax(all)], gcg[i][T], "example " + i);
                assertTrue(all[GcgSearch.argmax(all)] > objective(te, ids[i], masks[i], y[i], m), "the attack raises J");
            }
        }
    }

    @Test
    void jNeverDecreasesOverStepsAndTheSearchRepeats() {
        try (Network net = tinyBert(); NDManager m = ENGINE.manager().newSubManager()) {
            TokenEmbeddings te = net.tokenEmbeddings();
            // two masked positions per sequence: the decoy and the first word
            Batch b = TinyText.batch(m, 4, 9);
            float[][] masks = TokenRows.masks(b.masks());
            for (float[] row : masks) {
                row[2] = 1;
            }
            long[][] ids = TokenRows.ids(b.inputs());
            long[] y = b.labels().toLongArray();
            for (GcgSearch search : new GcgSearch[] {new GcgSearch(3, 1, GcgSearch.Selection.GRADIENT),
                    new GcgSearch(3, 1, GcgSearch.Selection.RANDOM), new GcgSearch(3, 1, GcgSearch.Selection.GRADIENT, 10)}) {
                GcgSearch.Selection selection = search.selection();
                double[] previous = GcgSearch.objective(te, ids, masks, y, m);
                for (int steps = 1; steps <= 3; steps++) {
                    long[][] adv = new GcgSearch(3, steps, selection, search.top()).maximise(net, ids, masks,
                            b.labels(), pool(), 4, m);
                    double[] j = GcgSearch.objective(te, adv, masks, y, m);
                    for (int i = 0; i < ids.length; i++) {
                        assertTrue(j[i] >= previous[i] * (1 - 1e-12), search + ", " + steps + " steps, example " + i
                                + ": J fell from " + previous[i] + " to " + j[i]);
                    }
                    assertArrayEquals(adv, new GcgSearch(3, steps, selection, search.top()).maximise(net, ids, masks,
                            b.labels(), pool(), 4, m), "same seed, same result");
                    previous = j;
                }
            }
        }
    }
}
