package dev.mlx.app.run;

import dev.mlx.api.data.DataSplit;
import dev.mlx.api.data.ExplanationDataset;
import dev.mlx.api.error.ErrorKind;
import dev.mlx.api.error.MlxException;
import dev.mlx.api.metric.GroupAccuracy;
import dev.mlx.api.model.Architecture;
import dev.mlx.api.model.LayerSpec;
import dev.mlx.api.model.ModelProvider;
import dev.mlx.api.param.HyperParameters;
import dev.mlx.api.train.Regularizer;
import dev.mlx.api.train.RegularizerProvider;
import dev.mlx.app.plugin.PluginCatalog;
import dev.mlx.engine.MlxEngine;
import dev.mlx.engine.eval.GroupEvaluator;
import dev.mlx.engine.io.Checkpoints;
import dev.mlx.engine.nn.Network;
import dev.mlx.engine.train.EpochMetrics;
import dev.mlx.engine.train.Trainer;
import dev.mlx.engine.train.TrainingListener;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs one training run on a loaded dataset: binds the plugins, builds the network, trains, evaluates. */
public final class RunExecutor {
    private static final Logger LOG = LoggerFactory.getLogger(RunExecutor.class);
    private final PluginCatalog catalog;
    private final MlxEngine engine;

    public RunExecutor(PluginCatalog catalog, MlxEngine engine) {
        this.catalog = catalog;
        this.engine = engine;
    }

    /**
     * Runs the regularizer plugin that {@code spec} names, resolved for its model first
     * ({@link PluginCatalog#regularizerFor}; callers resolve earlier so that the per-method defaults
     * match, and then this changes nothing), and records that plugin's name in the result.
     *
     * @param spec the run
     * @param datasetParams the dataset's bound parameters (for the report)
     * @param data the loaded dataset
     * @param listener progress
     * @return the result, with the trained weights
     */
    public RunResult execute(RunSpec spec, HyperParameters datasetParams, ExplanationDataset data,
            TrainingListener listener) {
        return execute(spec, datasetParams, data, listener, null);
    }

    /**
     * As {@link #execute(RunSpec, HyperParameters, ExplanationDataset, TrainingListener)}, with a training
     * checkpoint: if {@code checkpoint} exists the run continues from it (an interrupted run of the same
     * spec), and after every epoch it is replaced, atomically, by the new state.
     *
     * @param spec the run
     * @param datasetParams the dataset's bound parameters
     * @param data the dataset
     * @param listener progress callbacks
     * @param checkpoint the checkpoint file, or {@code null} for none
     * @return the result
     */
    public RunResult execute(RunSpec spec, HyperParameters datasetParams, ExplanationDataset data,
            TrainingListener listener, java.nio.file.Path checkpoint) {
        String resolved = catalog.regularizerFor(spec.regularizer(), spec.model());
        if (!resolved.equals(spec.regularizer())) {
            spec = new RunSpec(spec.dataset(), spec.datasetParams(), spec.model(), spec.modelParams(), resolved,
                    spec.regularizerParams(), spec.training());
        }
        ModelProvider modelProvider = catalog.model(spec.model());
        RegularizerProvider regularizerProvider = catalog.regularizer(spec.regularizer());
        HyperParameters modelParams = modelProvider.parameters().bind(spec.model(), spec.modelParams());
        HyperParameters regularizerParams =
                regularizerProvider.parameters().bind(spec.regularizer(), spec.regularizerParams());
        modelProvider.checkInputs(modelParams, data);
        Architecture architecture = modelProvider.build(modelParams, data.exampleShape(), data.numClasses());
        boolean textEncoder = !architecture.layers().isEmpty()
                && architecture.layers().get(0) instanceof LayerSpec.TextEncoder;
        if (textEncoder != modelProvider.offersTokenEmbeddings()) {
            throw new MlxException(ErrorKind.INTERNAL, "model plugin '" + spec.model() + "' "
                    + (textEncoder ? "builds a text encoder but does not declare" : "declares but does not build")
                    + " token embeddings (ModelProvider.offersTokenEmbeddings()); fix the plugin");
        }
        Regularizer regularizer = regularizerProvider.create(regularizerParams);
        long t0 = System.nanoTime();
        dev.mlx.engine.train.TrainingState resume = checkpoint != null && java.nio.file.Files.exists(checkpoint)
                ? dev.mlx.engine.train.TrainingCheckpoints.read(checkpoint) : null;
        if (resume != null) {
            LOG.info("continuing from {}: {} of {} epochs done", checkpoint, resume.epochsDone(),
                    spec.training().epochs());
        }
        java.util.function.Consumer<dev.mlx.engine.train.TrainingState> save = checkpoint == null ? null
                : state -> dev.mlx.engine.train.TrainingCheckpoints.write(checkpoint, state);
        try (Network network = resume == null
                ? engine.networks().create(architecture, data.exampleShape(), spec.training().seed())
                : engine.networks().create(architecture, data.exampleShape(), spec.training().seed(), resume.weights())) {
            LOG.info("training {} on {} with {} ({} parameters), {}", spec.regularizer(), spec.dataset(), architecture,
                    network.parameterCount(), spec.training());
            List<EpochMetrics> history =
                    new Trainer(spec.training()).train(network, data.train(), data.test(), regularizer, listener, resume,
                            save);
            double wall = (System.nanoTime() - t0) / 1e9;
            // The final model on the validation split (carved from the training data), for model selection.
            GroupEvaluator evaluator = new GroupEvaluator(
                    Math.max(1, Math.max(spec.training().batchSize(), 1000) / spec.training().fragments()));
            Optional<GroupAccuracy> validation =
                    data.validation().map(v -> evaluator.evaluate(network, v, network.manager()));
            validation.ifPresent(v -> LOG.info("validation ({} examples): Avg Acc {}, Wg Acc {}",
                    data.validation().get().size(), v.averageGroupAccuracy(), v.worstGroupAccuracy()));
            return new RunResult(spec, datasetParams, modelParams, regularizerParams, architecture.toString(),
                    network.parameterCount(), data.checksum(), data.train().size(), data.test().size(), history,
                    history.get(history.size() - 1).test(), wall, Checkpoints.snapshot(network), validation,
                    data.validation().map(DataSplit::size).orElse(0), engine.device());
        }
    }
}
