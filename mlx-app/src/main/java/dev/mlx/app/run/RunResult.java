package dev.mlx.app.run;

import dev.mlx.api.metric.GroupAccuracy;
import dev.mlx.api.param.HyperParameters;
import dev.mlx.engine.train.EpochMetrics;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a finished run produced.
 *
 * @param spec the run's definition
 * @param datasetParams the dataset's validated hyper-parameters
 * @param modelParams the model's validated hyper-parameters
 * @param regularizerParams the regularizer's validated hyper-parameters
 * @param architecture the model's layers, as text
 * @param parameterCount number of trainable scalars
 * @param datasetChecksum the dataset's source checksum
 * @param trainSize training examples
 * @param testSize test examples
 * @param history one entry per epoch
 * @param test the final test group accuracy
 * @param wallSeconds wall time of the training (including per-epoch evaluation)
 * @param weights the trained parameter values by name
 * @param validation the final group accuracy on the dataset's validation split, if it has one
 *     ({@link dev.mlx.api.data.ExplanationDataset#validation()})
 * @param validationSize validation examples (0 without a validation split)
 * @param device the device the run trained on ({@code cpu}, {@code cuda:0}, ...)
 */
public record RunResult(RunSpec spec, HyperParameters datasetParams, HyperParameters modelParams,
        HyperParameters regularizerParams, String architecture, long parameterCount, String datasetChecksum,
        int trainSize, int testSize, List<EpochMetrics> history, GroupAccuracy test, double wallSeconds,
        Map<String, float[]> weights, Optional<GroupAccuracy> validation, int validationSize, String device) {

    /** A result without a validation split. */
    public RunResult(RunSpec spec, HyperParameters datasetParams, HyperParameters modelParams,
            HyperParameters regularizerParams, String architecture, long parameterCount, String datasetChecksum,
            int trainSize, int testSize, List<EpochMetrics> history, GroupAccuracy test, double wallSeconds,
            Map<String, float[]> weights) {
        this(spec, datasetParams, modelParams, regularizerParams, architecture, parameterCount, datasetChecksum,
                trainSize, testSize, history, test, wallSeconds, weights, Optional.empty(), 0, "cpu");
    }

    /** @return mean seconds per epoch of the training steps */
    public double secondsPerEpoch() {
        return history.stream().mapToDouble(EpochMetrics::seconds).average().orElse(Double.NaN);
    }

    /** @return mean training throughput in examples per second */
    public double samplesPerSecond() {
        double seconds = history.stream().mapToDouble(EpochMetrics::seconds).sum();
        long examples = history.stream().mapToLong(EpochMetrics::examples).sum();
        return examples / seconds;
    }
}
