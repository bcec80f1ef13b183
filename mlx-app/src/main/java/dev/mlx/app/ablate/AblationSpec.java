package dev.mlx.app.ablate;

import java.util.List;
import java.util.Map;

/**
 * The validated settings of one ablation, from the command line.
 *
 * @param kind which ablation
 * @param dataset dataset plugin
 * @param datasetParams raw dataset parameters
 * @param model model plugin
 * @param modelParams raw model parameters (the size parameter of the model-size ablation is set per trial)
 * @param methods regularizers, in order
 * @param fractions the fraction axis (mask, data or correct fraction); empty for model size
 * @param corruptions the corruptions (corruption ablation only)
 * @param rules the corruption rules (corruption ablation only)
 * @param weightDecays the weight-decay axis (heat map only)
 * @param sizeParam the model parameter swept by the model-size ablation
 * @param sizes its values
 * @param epochs an override of every method's epochs, or {@code null}
 * @param batchSize an override of every method's batch size, or {@code null}
 * @param learningRate an override of every method's learning rate, or {@code null}
 * @param weightDecay Adam weight decay of every trial (except the heat map's axis)
 * @param seeds the restarts
 */
public record AblationSpec(AblationKind kind, String dataset, Map<String, String> datasetParams, String model,
        Map<String, String> modelParams, List<String> methods, List<Double> fractions, List<Corruption> corruptions,
        CorruptionRules rules, List<Double> weightDecays, String sizeParam, List<String> sizes, Integer epochs,
        Integer batchSize, Double learningRate, double weightDecay, List<Long> seeds) {
    public AblationSpec {
        datasetParams = Map.copyOf(datasetParams);
        modelParams = Map.copyOf(modelParams);
        methods = List.copyOf(methods);
        fractions = List.copyOf(fractions);
        corruptions = List.copyOf(corruptions);
        weightDecays = List.copyOf(weightDecays);
        sizes = List.copyOf(sizes);
        seeds = List.copyOf(seeds);
    }
}
