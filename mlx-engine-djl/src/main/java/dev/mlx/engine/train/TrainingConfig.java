package dev.mlx.engine.train;

import dev.mlx.api.error.MlxException;

/**
 * The optimisation settings of a run. Validated on construction.
 *
 * @param epochs passes over the training split, {@code >= 1}
 * @param batchSize examples per step, {@code >= 1}; the last, partial batch is used
 * @param learningRate Adam's step size, {@code > 0}
 * @param weightDecay Adam's coupled L2 coefficient, {@code >= 0}
 * @param seed the seed of initialisation, shuffling and every random draw
 * @param fragments gradient accumulation: each batch is split into this many contiguous fragments
 *     whose gradients are summed before the one optimiser step ({@link GradientAccumulator}), so
 *     peak memory is that of one fragment; {@code 1 <= fragments <= batchSize}, {@code 1} = no
 *     accumulation
 */
public record TrainingConfig(int epochs, int batchSize, double learningRate, double weightDecay, long seed,
        int fragments) {
    public TrainingConfig {
        if (epochs < 1) {
            throw MlxException.userError("epochs must be >= 1, got " + epochs);
        }
        if (batchSize < 1) {
            throw MlxException.userError("batch size must be >= 1, got " + batchSize);
        }
        if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
            throw MlxException.userError("learning rate must be a positive number, got " + learningRate);
        }
        if (!(weightDecay >= 0) || Double.isInfinite(weightDecay)) {
            throw MlxException.userError("weight decay must be >= 0, got " + weightDecay);
        }
        if (fragments < 1) {
            throw MlxException.userError("fragments must be >= 1 (1 = no gradient accumulation), got " + fragments);
        }
        if (fragments > batchSize) {
            throw MlxException.userError("fragments (" + fragments + ") must not exceed the batch size (" + batchSize
                    + "): each fragment needs at least one example. Lower fragments or raise the batch size.");
        }
    }

    /** Settings without gradient accumulation ({@code fragments = 1}). */
    public TrainingConfig(int epochs, int batchSize, double learningRate, double weightDecay, long seed) {
        this(epochs, batchSize, learningRate, weightDecay, seed, 1);
    }

    /**
     * @param value the number of fragments
     * @return these settings with {@code fragments = value}
     */
    public TrainingConfig withFragments(int value) {
        return new TrainingConfig(epochs, batchSize, learningRate, weightDecay, seed, value);
    }

    /** @return examples per fragment of a full batch, rounded up (what one forward pass holds) */
    public int fragmentSize() {
        return (batchSize + fragments - 1) / fragments;
    }
}
