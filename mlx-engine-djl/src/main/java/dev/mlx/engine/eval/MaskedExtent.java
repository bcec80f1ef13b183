package dev.mlx.engine.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/**
 * Running reductions of a non-negative, mask-weighted quantity {@code d ⊙ w} over batches: its
 * maximum over every entry, its sum, and the number of entries with {@code w > 0}, kept on the host
 * in double precision.
 */
final class MaskedExtent {
    private double max;
    private double sum;
    private long entries;
    private double lowerMin;
    private double upperMax;

    /**
     * Adds values to the maximum and the sum.
     *
     * @param weighted {@code d ⊙ w}, any shape
     */
    void add(NDArray weighted) {
        if (weighted.isEmpty()) {
            return;
        }
        max = Math.max(max, scalar(weighted.max()));
        sum += scalar(weighted.sum());
    }

    /**
     * Adds the entries of positive weight to the count.
     *
     * @param weight {@code w}
     */
    void count(NDArray weight) {
        entries += (long) scalar(weight.gt(0).toType(DataType.FLOAT64, false).sum());
    }

    /**
     * Tracks {@code min(lower ⊙ w)} and {@code max(upper ⊙ w)} (both start at 0, the value of an
     * unmasked entry).
     *
     * @param lowerWeighted {@code lower ⊙ w}
     * @param upperWeighted {@code upper ⊙ w}
     */
    void addBounds(NDArray lowerWeighted, NDArray upperWeighted) {
        if (lowerWeighted.isEmpty()) {
            return;
        }
        lowerMin = Math.min(lowerMin, scalar(lowerWeighted.min())) + 0.0; // + 0.0 turns -0.0 into 0.0
        upperMax = Math.max(upperMax, scalar(upperWeighted.max())) + 0.0;
    }

    /** @return the largest entry seen, 0 if none */
    double max() {
        return max;
    }

    /**
     * @param repeats how many values were added per counted entry (e.g. samples), {@code >= 1}
     * @return {@code sum / (entries * repeats)}, or 0 when no entry has a positive weight
     */
    double mean(int repeats) {
        return entries == 0 ? 0.0 : sum / ((double) entries * repeats);
    }

    /** @return the number of entries with a positive weight */
    long entries() {
        return entries;
    }

    /** @return the smallest {@code lower ⊙ w} seen (at most 0) */
    double lowerMin() {
        return lowerMin;
    }

    /** @return the largest {@code upper ⊙ w} seen (at least 0) */
    double upperMax() {
        return upperMax;
    }

    /**
     * @param numerator the numerator
     * @param denominator the denominator
     * @return their quotient, or {@code NaN} when the denominator is 0
     */
    static double ratio(double numerator, double denominator) {
        return denominator == 0 ? Double.NaN : numerator / denominator;
    }

    private static double scalar(NDArray a) {
        return a.toType(DataType.FLOAT64, false).getDouble();
    }
}
