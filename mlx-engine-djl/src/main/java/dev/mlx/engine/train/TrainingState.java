package dev.mlx.engine.train;

import java.util.List;
import java.util.Map;

/**
 * Everything a {@link Trainer} needs to continue a run exactly where an epoch ended (the
 * checkpoint of {@code mlx train}; Lightning's checkpoint connector holds the same parts):
 *
 * @param epochsDone the number of finished epochs
 * @param globalStep the number of optimiser steps taken
 * @param weights every named tensor of the network (parameters and buffers such as batch-norm
 *     running statistics), float32, by name
 * @param adam the optimiser's step count and moment buffers
 * @param dropoutDraws per dropout layer ({@link dev.mlx.engine.nn.Network#dropoutLayers()} order), the
 *     position of its random stream
 * @param history the metrics of the finished epochs
 *
 * <p>The shuffling and per-step seed streams are not stored: they are {@link java.util.SplittableRandom}s
 * seeded from the run's seed and consumed a fixed amount per epoch, so the trainer replays them to the
 * position {@code epochsDone} gives.
 */
public record TrainingState(int epochsDone, long globalStep, Map<String, float[]> weights, Moments adam,
        long[] dropoutDraws, List<EpochMetrics> history) {
    public TrainingState {
        weights = Map.copyOf(weights);
        dropoutDraws = dropoutDraws.clone();
        history = List.copyOf(history);
    }

    /**
     * Adam's state.
     *
     * @param steps the step count {@code t}
     * @param first the first moments by parameter name
     * @param second the second moments by parameter name
     */
    public record Moments(long steps, Map<String, float[]> first, Map<String, float[]> second) {
        public Moments {
            first = Map.copyOf(first);
            second = Map.copyOf(second);
        }
    }
}
