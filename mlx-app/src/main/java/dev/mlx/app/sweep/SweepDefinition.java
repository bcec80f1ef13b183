package dev.mlx.app.sweep;

import java.util.List;
import java.util.Map;

/**
 * A validated sweep file: what to train, which settings to try per method, over which seeds, and
 * how to select. Immutable; built by {@link SweepFileReader}.
 *
 * @param dataset dataset plugin
 * @param datasetParams raw dataset parameters
 * @param model model plugin
 * @param modelParams raw model parameters
 * @param seeds restarts of every setting
 * @param selection what is maximised on the validation split
 * @param training settings for every method, under each method's own ({@code lr}, {@code epochs},
 *     {@code batch-size}, {@code weight-decay}); unset ones come from the method's defaults
 * @param methods the methods and their settings, in file order
 */
public record SweepDefinition(String dataset, Map<String, String> datasetParams, String model,
        Map<String, String> modelParams, List<Long> seeds, SelectionMetric selection, Map<String, String> training,
        List<MethodSweep> methods) {
    /** The training settings a sweep can set or search, as written in sweep files. */
    public static final List<String> TRAINING_KEYS = List.of("lr", "epochs", "batch-size", "weight-decay");

    public SweepDefinition {
        datasetParams = Map.copyOf(datasetParams);
        modelParams = Map.copyOf(modelParams);
        seeds = List.copyOf(seeds);
        training = Map.copyOf(training);
        methods = List.copyOf(methods);
    }
}
