package dev.mlx.engine.eval;

import java.util.Arrays;

/**
 * Kendall's rank correlation tau-b (Kendall, "The treatment of ties in ranking problems",
 * Biometrika 1945) of two equally long samples, computed in {@code O(n log n)} with Knight's
 * algorithm (Knight, JASA 1966). Over the {@code n0 = n(n-1)/2} pairs {@code (i, j)}:
 *
 * <pre>
 * concordant nc: (x_i - x_j)(y_i - y_j) > 0      discordant nd: (x_i - x_j)(y_i - y_j) < 0
 * n1 = sum over groups of tied x of t(t-1)/2     n2 = the same for y
 * tau-b = (nc - nd) / sqrt((n0 - n1)(n0 - n2))
 * </pre>
 *
 * Pairs tied in {@code x} or {@code y} are neither concordant nor discordant. The value is
 * {@code NaN} when either sample is constant (fewer than two distinct values), where tau-b is
 * undefined. Identical rankings give 1, reversed ones -1.
 */
public final class KendallTau {
    private KendallTau() {}

    /**
     * @param x the first sample
     * @param y the second sample, same length
     * @return tau-b, or {@code NaN} if it is undefined
     * @throws IllegalArgumentException if the lengths differ or a value is NaN
     */
    public static double tauB(double[] x, double[] y) {
        int n = x.length;
        if (y.length != n) {
            throw new IllegalArgumentException("samples of different lengths: " + n + " and " + y.length);
        }
        for (int i = 0; i < n; i++) {
            if (Double.isNaN(x[i]) || Double.isNaN(y[i])) {
                throw new IllegalArgumentException("NaN at index " + i + "; Kendall's tau needs ordered values");
            }
        }
        if (n < 2) {
            return Double.NaN;
        }
        Integer[] boxed = new Integer[n];
        for (int i = 0; i < n; i++) {
            boxed[i] = i;
        }
        Arrays.sort(boxed, (a, b) -> {
            int c = Double.compare(x[a], x[b]);
            return c != 0 ? c : Double.compare(y[a], y[b]);
        });
        double[] ys = new double[n];
        double[] xs = new double[n];
        for (int i = 0; i < n; i++) {
            xs[i] = x[boxed[i]];
            ys[i] = y[boxed[i]];
        }
        long n0 = (long) n * (n - 1) / 2;
        long n1 = 0;
        long n3 = 0; // pairs tied in both
        int i = 0;
        while (i < n) {
            int j = i + 1;
            while (j < n && xs[j] == xs[i]) {
                j++;
            }
            n1 += pairs(j - i);
            int k = i;
            while (k < j) {
                int l = k + 1;
                while (l < j && ys[l] == ys[k]) {
                    l++;
                }
                n3 += pairs(l - k);
                k = l;
            }
            i = j;
        }
        long swaps = mergeSortCountingSwaps(ys, new double[n], 0, n);
        long n2 = 0;
        i = 0;
        while (i < n) {
            int j = i + 1;
            while (j < n && ys[j] == ys[i]) {
                j++;
            }
            n2 += pairs(j - i);
            i = j;
        }
        // nc + nd = n0 - n1 - n2 + n3, and the swaps of a stable sort by y count the discordant pairs.
        long difference = n0 - n1 - n2 + n3 - 2 * swaps;
        double denominator = Math.sqrt((double) (n0 - n1) * (double) (n0 - n2));
        return denominator == 0 ? Double.NaN : difference / denominator;
    }

    private static long pairs(long t) {
        return t * (t - 1) / 2;
    }

    /** Sorts {@code a[from, to)} ascending, stably, and returns the number of strict inversions. */
    private static long mergeSortCountingSwaps(double[] a, double[] buffer, int from, int to) {
        if (to - from < 2) {
            return 0;
        }
        int mid = (from + to) >>> 1;
        long swaps = mergeSortCountingSwaps(a, buffer, from, mid) + mergeSortCountingSwaps(a, buffer, mid, to);
        int left = from;
        int right = mid;
        int out = from;
        while (left < mid && right < to) {
            if (a[right] < a[left]) {
                swaps += mid - left; // a[right] is smaller than every remaining left element
                buffer[out++] = a[right++];
            } else {
                buffer[out++] = a[left++];
            }
        }
        while (left < mid) {
            buffer[out++] = a[left++];
        }
        while (right < to) {
            buffer[out++] = a[right++];
        }
        System.arraycopy(buffer, from, a, from, to - from);
        return swaps;
    }
}
