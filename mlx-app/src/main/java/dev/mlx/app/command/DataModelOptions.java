package dev.mlx.app.command;

import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The dataset and model options of the commands that train ({@code mlx train}, {@code mlx ablate}); a
 * picocli mixin. A name left out is {@code null} here, so that each command applies its own
 * precedence ({@code mlx train}: command line, then {@code --config}, then the default) before
 * falling back to {@link #DEFAULT_DATASET} and {@link #DEFAULT_MODEL}.
 */
public final class DataModelOptions {
    /** The dataset when none is named. */
    public static final String DEFAULT_DATASET = "decoy-mnist";
    /** The model when none is named. */
    public static final String DEFAULT_MODEL = "mlp";

    @Option(names = {"-d", "--dataset"}, description = "Dataset plugin (default: " + DEFAULT_DATASET + ").")
    String dataset;

    @Option(names = "--dataset-param", description = "Dataset hyper-parameter, key=value (repeatable).")
    Map<String, String> datasetParams = new LinkedHashMap<>();

    @Option(names = {"-m", "--model"}, description = "Model plugin (default: " + DEFAULT_MODEL + ").")
    String model;

    @Option(names = "--model-param", description = "Model hyper-parameter, key=value (repeatable).")
    Map<String, String> modelParams = new LinkedHashMap<>();

    /**
     * @param fallback the dataset if {@code -d} was not given
     * @return the dataset named on the command line, else {@code fallback}
     */
    public String dataset(String fallback) {
        return dataset != null ? dataset : fallback;
    }

    /**
     * @param fallback the model if {@code -m} was not given
     * @return the model named on the command line, else {@code fallback}
     */
    public String model(String fallback) {
        return model != null ? model : fallback;
    }

    /** @return the {@code --dataset-param} values in the order given (the mixin's own map) */
    public Map<String, String> datasetParams() {
        return datasetParams;
    }

    /** @return the {@code --model-param} values in the order given (the mixin's own map) */
    public Map<String, String> modelParams() {
        return modelParams;
    }
}
