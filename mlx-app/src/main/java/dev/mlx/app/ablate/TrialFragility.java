package dev.mlx.app.ablate;

import ai.djl.ndarray.NDManager;
import dev.mlx.api.data.ExplanationDataset;
import dev.mlx.api.error.UnsupportedCapabilityException;
import dev.mlx.api.metric.EvaluationContext;
import dev.mlx.api.metric.MetricProvider;
import dev.mlx.api.metric.MetricResult;
import dev.mlx.api.model.Architecture;
import dev.mlx.app.plugin.PluginCatalog;
import dev.mlx.app.run.RunResult;
import dev.mlx.engine.MlxEngine;
import dev.mlx.engine.nn.Network;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The certified input-gradient fragility of a trial's trained network on the test split, measured
 * by the {@code fragility} metric plugin (reference specification §8.3; the ablation tables of §12
 * report kappa at the dataset's {@code test_epsilon}): interval bounds
 * {@code [eta_L, eta_U]} of the cross-entropy input gradient over the box {@code x ± eps·w} give
 * {@code kappa_m = max (eta_U − eta_L)·m} (box and weighting on the test masks {@code m}),
 * {@code kappa_core} (the same with {@code 1 − m}) and {@code ratio = kappa_m / kappa_core}. A
 * model that ignores the masked features has {@code ratio << 1}.
 *
 * @param epsilon the box radius ({@link #epsilonFor})
 * @param kappaMasked {@code kappa_m}
 * @param kappaCore {@code kappa_core}
 * @param ratio {@code kappa_m / kappa_core} (NaN if {@code kappa_core = 0})
 */
public record TrialFragility(double epsilon, double kappaMasked, double kappaCore, double ratio) {
    private static final Logger LOG = LoggerFactory.getLogger(TrialFragility.class);
    private static final String METRIC = "fragility";
    private static final int BATCH = 256;
    /** {@code test_epsilon} of the reference's parameter files (§11) for the datasets that differ from 0.1. */
    private static final Map<String, Double> TEST_EPSILON = Map.of("decoy-derm", 0.01, "plant", 0.01);
    private static final double DEFAULT_EPSILON = 0.1;

    /**
     * @param dataset a dataset plugin name
     * @return the reference's {@code test_epsilon} for it: 0.01 for {@code decoy-derm} and
     *     {@code plant}, otherwise 0.1 (Decoy-MNIST, ISIC, and any other dataset)
     */
    static double epsilonFor(String dataset) {
        return TEST_EPSILON.getOrDefault(dataset, DEFAULT_EPSILON);
    }

    /**
     * Rebuilds the trained network from the run's weights and evaluates the fragility metric on the
     * test split (masks as the dataset made them, never the trial's transform).
     *
     * @param catalog the plugins
     * @param engine the engine
     * @param trial the trial
     * @param data the dataset (its untouched test split is measured)
     * @param run the finished run, with its trained weights
     * @return the fragility, or {@code null} if the model has a layer without interval bounds
     *     (logged; the trial's other results stand)
     */
    static TrialFragility measure(PluginCatalog catalog, MlxEngine engine, Trial trial, ExplanationDataset data,
            RunResult run) {
        double epsilon = epsilonFor(trial.dataset());
        MetricProvider provider = catalog.metric(METRIC);
        Architecture architecture = catalog.model(trial.model()).build(run.modelParams(), data.exampleShape(),
                data.numClasses());
        try (Network network = engine.networks().create(architecture, data.exampleShape(), trial.seed(),
                run.weights()); NDManager manager = engine.manager().newSubManager()) {
            MetricResult r = provider.create(provider.parameters().bind(METRIC,
                    Map.of("epsilon", Double.toString(epsilon)))).evaluate(network, data.test(),
                    new EvaluationContext(manager, BATCH, trial.seed()));
            return new TrialFragility(epsilon, r.value("kappa-m"), r.value("kappa-core"), r.value("ratio"));
        } catch (UnsupportedCapabilityException e) {
            LOG.warn("trial {}: no certified fragility: {}", trial.id(), e.getMessage());
            return null;
        }
    }
}
