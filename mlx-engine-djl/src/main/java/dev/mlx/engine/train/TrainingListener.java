package dev.mlx.engine.train;

/** Receives progress from a {@link Trainer}. Both methods default to doing nothing. */
public interface TrainingListener {
    /**
     * Called after every step. The step's values stay on the device; asking {@code meanLoss} reads
     * them back (a host round trip), so call it only when the value is shown.
     *
     * @param epoch 1-based epoch
     * @param step 1-based step within the epoch
     * @param steps steps per epoch
     * @param meanLoss the mean total loss (task loss plus penalty) of the epoch's steps so far
     */
    default void onStep(int epoch, int step, int steps, java.util.function.DoubleSupplier meanLoss) {}

    /** @param metrics what the finished epoch measured */
    default void onEpoch(EpochMetrics metrics) {}
}
