package dev.mlx.app.ablate;

import dev.mlx.app.run.RunSpec;
import dev.mlx.engine.train.TrainingConfig;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One cell of an ablation grid at one seed: a complete training run plus what is done to its
 * training split. Written to {@code trials/<id>/trial.json} before the trial starts; a finished
 * trial's {@code result.json} embeds it, so a re-run recognises a result as belonging to exactly
 * this trial.
 *
 * @param id the folder name, derived from the coordinates and the seed
 * @param coordinates the grid position, in column order (e.g. {@code method=rrr, mask-fraction=0.4})
 * @param dataset dataset plugin
 * @param datasetParams raw dataset parameters
 * @param model model plugin
 * @param modelParams raw model parameters
 * @param regularizer regularizer plugin
 * @param regularizerParams raw regularizer parameters
 * @param epochs epochs
 * @param batchSize batch size
 * @param learningRate Adam learning rate
 * @param weightDecay Adam weight decay
 * @param seed the seed of data construction, initialisation, shuffling and of the transform's draws
 * @param transform what is done to the training split
 */
public record Trial(String id, Map<String, String> coordinates, String dataset, Map<String, String> datasetParams,
        String model, Map<String, String> modelParams, String regularizer, Map<String, String> regularizerParams,
        int epochs, int batchSize, double learningRate, double weightDecay, long seed, TrainingSetTransform transform) {
    public Trial {
        coordinates = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(coordinates));
        datasetParams = Map.copyOf(datasetParams);
        modelParams = Map.copyOf(modelParams);
        regularizerParams = Map.copyOf(regularizerParams);
    }

    /** @return a file-name-safe id for the coordinates and seed, e.g. {@code method=rrr_mask-fraction=0.4_seed=0} */
    public static String idOf(Map<String, String> coordinates, long seed) {
        StringBuilder b = new StringBuilder();
        coordinates.forEach((k, v) -> b.append(k).append('=').append(v).append('_'));
        b.append("seed=").append(seed);
        return b.toString().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._=-]", "-");
    }

    /** @return the run this trial trains */
    public RunSpec runSpec() {
        return new RunSpec(dataset, datasetParams, model, modelParams, regularizer, regularizerParams,
                new TrainingConfig(epochs, batchSize, learningRate, weightDecay, seed));
    }

    /** @return the grid cell: the coordinates without the seed */
    public String cellKey() {
        return coordinates.toString();
    }
}
