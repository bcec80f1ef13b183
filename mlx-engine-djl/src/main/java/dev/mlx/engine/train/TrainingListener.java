package dev.mlx.engine.train;

/** Receives progress from a {@link Trainer}. Both methods default to doing nothing. */
public interface TrainingListener {
    /**
     * Called after every step.
     *
     * @param epoch 1-based epoch
     * @param step 1-based step within the epoch
     * @param steps steps per epoch
     * @param loss the step's total loss
     */
    default void onStep(int epoch, int step, int steps, double loss) {}

    /** @param metrics what the finished epoch measured */
    default void onEpoch(EpochMetrics metrics) {}
}
