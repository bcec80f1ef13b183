package dev.mlx.engine.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Kendall's tau-b and the top-k intersection on hand-computed cases and against the O(n^2) definition. */
class KendallTauTest {

    @Test
    void handComputedExampleWithTiesInBothSamples() {
        // Pairs of x = (1, 2, 2, 3), y = (1, 3, 2, 2): (1,2) C, (1,3) C, (1,4) C, (2,3) tied in x, (2,4) D,
        // (3,4) tied in y. nc = 3, nd = 1, n0 = 6, n1 = 1, n2 = 1: tau-b = 2 / sqrt(5 * 5) = 0.4.
        assertEquals(0.4, KendallTau.tauB(new double[] {1, 2, 2, 3}, new double[] {1, 3, 2, 2}), 1e-15);
        // A joint tie: x = (1, 1, 2), y = (5, 5, 6): n0 = 3, n1 = 1, n2 = 1, nc = 2: tau-b = 2 / 2 = 1.
        assertEquals(1.0, KendallTau.tauB(new double[] {1, 1, 2}, new double[] {5, 5, 6}), 1e-15);
        // Without ties tau-b is tau-a: (1, 2, 3) vs (1, 3, 2): nc = 2, nd = 1 -> 1/3.
        assertEquals(1.0 / 3, KendallTau.tauB(new double[] {1, 2, 3}, new double[] {1, 3, 2}), 1e-15);
    }

    @Test
    void identicalRankingsGiveOneAndReversedMinusOne() {
        double[] x = {0.3, -1, 7, 2.5, 0, 4};
        double[] monotone = {1.3, -5, 70, 3, 0.5, 40};
        double[] reversed = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            reversed[i] = -monotone[i];
        }
        assertEquals(1.0, KendallTau.tauB(x, x), 1e-15);
        assertEquals(1.0, KendallTau.tauB(x, monotone), 1e-15, "only the order counts");
        assertEquals(-1.0, KendallTau.tauB(x, reversed), 1e-15);
        double[] tied = {1, 1, 2, 2, 3, 3};
        assertEquals(1.0, KendallTau.tauB(tied, tied), 1e-15, "identical samples with ties still give 1");
    }

    @Test
    void undefinedForAConstantSampleAndRejectsBadInput() {
        assertTrue(Double.isNaN(KendallTau.tauB(new double[] {2, 2, 2}, new double[] {1, 2, 3})));
        assertTrue(Double.isNaN(KendallTau.tauB(new double[] {1}, new double[] {1})));
        assertThrows(IllegalArgumentException.class, () -> KendallTau.tauB(new double[] {1, 2}, new double[] {1}));
        assertThrows(IllegalArgumentException.class,
                () -> KendallTau.tauB(new double[] {1, Double.NaN}, new double[] {1, 2}));
    }

    @Test
    void agreesWithTheQuadraticDefinitionOnRandomTiedData() {
        SplittableRandom r = new SplittableRandom(3);
        for (int trial = 0; trial < 300; trial++) {
            int n = 2 + r.nextInt(40);
            int levels = 1 + r.nextInt(6);
            double[] x = new double[n];
            double[] y = new double[n];
            for (int i = 0; i < n; i++) {
                x[i] = r.nextInt(levels);
                y[i] = r.nextBoolean() ? x[i] + r.nextInt(2) : r.nextInt(levels);
            }
            double expected = naive(x, y);
            double actual = KendallTau.tauB(x, y);
            if (Double.isNaN(expected)) {
                assertTrue(Double.isNaN(actual), "trial " + trial);
            } else {
                assertEquals(expected, actual, 1e-12, "trial " + trial);
            }
        }
    }

    @Test
    void topKIntersectionCountsSharedTopFeatures() {
        double[] a = {0.9, 0.1, 0.5, 0.7, 0.0};
        double[] b = {0.2, 0.8, 0.6, 0.9, 0.0};
        assertArrayEquals(new int[] {0, 3}, TopKIntersection.topK(a, 2));
        assertArrayEquals(new int[] {3, 1}, TopKIntersection.topK(b, 2));
        assertEquals(0.5, TopKIntersection.of(a, b, 2), 0, "{0, 3} and {3, 1} share one of two");
        assertEquals(2.0 / 3, TopKIntersection.of(a, b, 3), 1e-15, "{0, 3, 2} and {3, 1, 2}");
        assertEquals(1.0, TopKIntersection.of(a, b, 99), 0, "k is clamped to the length");
        assertEquals(1.0, TopKIntersection.of(a, a, 1), 0);
        assertArrayEquals(new int[] {1, 2}, TopKIntersection.topK(new double[] {0, 1, 1, 1}, 2), "ties: lower index");
    }

    /** tau-b straight from its definition over all pairs. */
    private static double naive(double[] x, double[] y) {
        long nc = 0;
        long nd = 0;
        long tx = 0;
        long ty = 0;
        long n0 = 0;
        for (int i = 0; i < x.length; i++) {
            for (int j = i + 1; j < x.length; j++) {
                n0++;
                double s = Math.signum(x[i] - x[j]) * Math.signum(y[i] - y[j]);
                if (s > 0) {
                    nc++;
                } else if (s < 0) {
                    nd++;
                }
                if (x[i] == x[j]) {
                    tx++;
                }
                if (y[i] == y[j]) {
                    ty++;
                }
            }
        }
        double d = Math.sqrt((double) (n0 - tx) * (n0 - ty));
        return d == 0 ? Double.NaN : (nc - nd) / d;
    }
}
