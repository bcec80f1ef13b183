package dev.mlx.app.run;

import dev.mlx.engine.train.TrainingConfig;
import java.util.Map;

/**
 * Everything that defines a training run, validated at the edge (command line or config file).
 *
 * @param dataset the dataset plugin name
 * @param datasetParams raw dataset hyper-parameters
 * @param model the model plugin name
 * @param modelParams raw model hyper-parameters
 * @param regularizer the regularizer plugin name
 * @param regularizerParams raw regularizer hyper-parameters
 * @param training the optimisation settings
 */
public record RunSpec(String dataset, Map<String, String> datasetParams, String model, Map<String, String> modelParams,
        String regularizer, Map<String, String> regularizerParams, TrainingConfig training) {
    public RunSpec {
        datasetParams = Map.copyOf(datasetParams);
        modelParams = Map.copyOf(modelParams);
        regularizerParams = Map.copyOf(regularizerParams);
    }
}
