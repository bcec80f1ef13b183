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
 */
public record TrainingConfig(int epochs, int batchSize, double learningRate, double weightDecay, long seed) {
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
    }
}
