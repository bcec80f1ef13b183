package dev.mlx.engine.eval;

import java.util.Arrays;

/**
 * The top-k intersection of two attribution maps (Ghorbani, Abid and Zou, "Interpretation of
 * Neural Networks Is Fragile", AAAI 2019; Chen et al., NeurIPS 2019): with {@code T_k(a)} the
 * indices of the {@code k} largest entries of {@code a} (ties broken by the lower index),
 *
 * <pre>
 * intersection(a, b) = |T_k(a) ∩ T_k(b)| / k,     k = min(k, length)
 * </pre>
 *
 * The callers pass magnitudes {@code |A|}, so the top-k are the most important features whatever
 * their sign.
 */
public final class TopKIntersection {
    private TopKIntersection() {}

    /**
     * @param values the values
     * @param k how many indices, clamped to {@code [1, values.length]}
     * @return the indices of the {@code k} largest values, largest first
     */
    public static int[] topK(double[] values, int k) {
        int kk = Math.max(1, Math.min(k, values.length));
        Integer[] order = new Integer[values.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (p, q) -> {
            int c = Double.compare(values[q], values[p]);
            return c != 0 ? c : Integer.compare(p, q);
        });
        int[] top = new int[kk];
        for (int i = 0; i < kk; i++) {
            top[i] = order[i];
        }
        return top;
    }

    /**
     * @param a the first map
     * @param b the second map, same length
     * @param k the number of top features
     * @return {@code |T_k(a) ∩ T_k(b)| / k}
     */
    public static double of(double[] a, double[] b, int k) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("maps of different lengths: " + a.length + " and " + b.length);
        }
        if (a.length == 0) {
            return Double.NaN;
        }
        int[] ta = topK(a, k);
        boolean[] inA = new boolean[a.length];
        for (int i : ta) {
            inA[i] = true;
        }
        int common = 0;
        for (int i : topK(b, k)) {
            if (inA[i]) {
                common++;
            }
        }
        return (double) common / ta.length;
    }
}
