package dev.mlx.vision.io;

import dev.mlx.api.error.MlxException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * A train/test split drawn once, from a seed, per stratum (class or group): within each stratum,
 * in index order, the indices are shuffled by Fisher-Yates with one {@link SplittableRandom}
 * seeded by the seed (strata visited in increasing id order), and the first
 * {@code round(testFraction * n)} go to the test side, clamped so that a stratum with at least
 * two examples has at least one on each side. The two sides are disjoint and cover every index,
 * which fixes the reference ISIC loader's defect of drawing a new permutation per dataset object
 * (reference specification §9.3, §14 item 12).
 */
public final class StratifiedSplit {
    private StratifiedSplit() {}

    /**
     * @param strata the stratum of every example
     * @param testFraction the fraction of each stratum put on the test side, in {@code (0, 1)}
     * @param seed the seed
     * @return for every example, whether it is on the test side
     */
    public static boolean[] testMembership(int[] strata, double testFraction, long seed) {
        if (!(testFraction > 0 && testFraction < 1)) {
            throw MlxException.userError("test fraction " + testFraction + " must lie strictly between 0 and 1");
        }
        TreeMap<Integer, List<Integer>> byStratum = new TreeMap<>();
        for (int i = 0; i < strata.length; i++) {
            byStratum.computeIfAbsent(strata[i], k -> new ArrayList<>()).add(i);
        }
        SplittableRandom rng = new SplittableRandom(seed);
        boolean[] test = new boolean[strata.length];
        for (List<Integer> members : byStratum.values()) {
            int n = members.size();
            int[] idx = members.stream().mapToInt(Integer::intValue).toArray();
            for (int i = n - 1; i > 0; i--) {
                int j = rng.nextInt(i + 1);
                int t = idx[i];
                idx[i] = idx[j];
                idx[j] = t;
            }
            int k = (int) Math.round(testFraction * n);
            if (n >= 2) {
                k = Math.max(1, Math.min(n - 1, k));
            }
            for (int i = 0; i < k; i++) {
                test[idx[i]] = true;
            }
        }
        return test;
    }
}
