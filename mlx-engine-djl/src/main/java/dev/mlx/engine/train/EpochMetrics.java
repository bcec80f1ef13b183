package dev.mlx.engine.train;

import dev.mlx.api.metric.GroupAccuracy;

/**
 * What one epoch measured.
 *
 * @param epoch 1-based epoch number
 * @param taskLoss mean task loss (cross-entropy) over the epoch's steps
 * @param penalty mean regularizer term over the epoch's steps
 * @param trainAccuracy accuracy on the training batches during the epoch
 * @param seconds wall time of the epoch's training steps (evaluation excluded)
 * @param examples examples seen in the epoch
 * @param test group accuracy on the test split after the epoch, or {@code null} if not evaluated
 */
public record EpochMetrics(int epoch, double taskLoss, double penalty, double trainAccuracy, double seconds,
        long examples, GroupAccuracy test) {
    /** @return training throughput in examples per second */
    public double samplesPerSecond() {
        return seconds > 0 ? examples / seconds : Double.NaN;
    }
}
