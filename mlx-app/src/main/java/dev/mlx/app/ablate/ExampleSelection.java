package dev.mlx.app.ablate;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * Chooses which training examples an ablation touches (reference specification §12.1 and §12.2):
 * {@code k = floor((1 − ρ)·n)} examples drawn uniformly without replacement, either from the
 * whole set or from each class separately ({@code n = n_c}, classes in increasing order). A draw
 * is the prefix of a Fisher-Yates shuffle of the candidates (in index order) by the given random
 * stream. ({@code floor} is taken after adding 1e-9, so that e.g. {@code (1 − 0.8)·10} counts as
 * 2, not as the 1 that Python's {@code int(1.9999999999999996)} gives.)
 */
final class ExampleSelection {
    private ExampleSelection() {}

    /**
     * @param labels the class of every example
     * @param kept the fraction {@code ρ} left untouched, in {@code [0, 1]}
     * @param perClass whether to draw per class (else from the whole set)
     * @param rng the random stream
     * @return for every example, whether it is chosen (its mask removed or corrupted, or the example dropped)
     */
    static boolean[] choose(int[] labels, double kept, boolean perClass, SplittableRandom rng) {
        TreeMap<Integer, List<Integer>> pools = new TreeMap<>();
        for (int i = 0; i < labels.length; i++) {
            pools.computeIfAbsent(perClass ? labels[i] : 0, k -> new ArrayList<>()).add(i);
        }
        boolean[] chosen = new boolean[labels.length];
        for (List<Integer> pool : pools.values()) {
            int n = pool.size();
            int k = (int) Math.floor((1 - kept) * n + 1e-9);
            int[] idx = pool.stream().mapToInt(Integer::intValue).toArray();
            for (int i = 0; i < k; i++) {
                int j = i + rng.nextInt(n - i);
                int t = idx[i];
                idx[i] = idx[j];
                idx[j] = t;
                chosen[idx[i]] = true;
            }
        }
        return chosen;
    }
}
