package dev.mlx.engine.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.mlx.api.train.Scalars;

/**
 * An epoch's running sums of the task loss, the penalty and the correct predictions, kept on the
 * device so that a training step never waits for the host: the step adds its (detached) values
 * in place and nothing is read back until {@link #read()}, which the trainer calls every
 * {@link Trainer#CHECK_EVERY} steps, at the end of the epoch, and when a listener asks for the
 * running loss (a progress bar redrawn a few times a second).
 *
 * <p>Lifetime: the sums live on the manager given to the constructor (the epoch's); closing that
 * manager frees them.
 */
final class EpochTotals {
    private final NDArray task;
    private final NDArray penalty;
    private final NDArray correct;
    private int steps;

    /** What {@link #read()} returns: the sums so far and the steps they cover. */
    record Sums(double task, double penalty, long correct, int steps) {
        boolean finite() {
            return Double.isFinite(task) && Double.isFinite(penalty);
        }

        /** @return the mean task loss plus penalty per step so far ({@code NaN} before the first) */
        double meanLoss() {
            return steps == 0 ? Double.NaN : (task + penalty) / steps;
        }
    }

    EpochTotals(NDManager manager) {
        this.task = manager.zeros(new Shape(), DataType.FLOAT64);
        this.penalty = manager.zeros(new Shape(), DataType.FLOAT64);
        this.correct = manager.zeros(new Shape(), DataType.INT64);
    }

    /**
     * Adds one fragment's values, weighted by its share of the batch (on the device, in place).
     *
     * @param taskLoss the fragment's mean task loss (a scalar; its graph is not kept)
     * @param penaltyTerm the fragment's penalty (a scalar of any floating type)
     * @param correctCount the fragment's correct predictions (an int64 scalar)
     * @param weight {@code n_k / N}
     */
    void add(NDArray taskLoss, NDArray penaltyTerm, NDArray correctCount, double weight) {
        task.addi(weighted(taskLoss, weight));
        penalty.addi(weighted(penaltyTerm, weight));
        correct.addi(correctCount.toType(DataType.INT64, false));
    }

    private static NDArray weighted(NDArray value, double weight) {
        NDArray v = value.stopGradient().toType(DataType.FLOAT64, false).reshape(new Shape());
        return weight == 1.0 ? v : Scalars.times(v, weight);
    }

    /** Counts a finished step. */
    void stepDone() {
        steps++;
    }

    /** @return the sums so far (one read from the device) */
    Sums read() {
        return new Sums(task.getDouble(), penalty.getDouble(), correct.getLong(), steps);
    }
}
