package dev.mlx.app.command;

import dev.mlx.api.data.ExplanationDataset;
import dev.mlx.api.model.Architecture;
import dev.mlx.api.model.ModelProvider;
import dev.mlx.api.param.HyperParameters;
import dev.mlx.app.plugin.PluginCatalog;
import dev.mlx.app.run.SavedRun;
import dev.mlx.engine.MlxEngine;
import dev.mlx.engine.nn.Network;
import jakarta.inject.Inject;
import java.io.PrintStream;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * Brings a saved run back for {@code mlx eval}, {@code mlx explain} and {@code mlx export}; a picocli
 * mixin that adds their {@code --no-fetch} option. The steps come in the order that fails fastest:
 * {@link #prepare} resolves the run's dataset and model plugins, binds the model's parameters and
 * reads the weights (no data loaded yet); {@link Prepared#loadData} rebuilds the dataset with the
 * run's plugin, parameters and seed and checks it against the checksum in {@code report.json};
 * {@link Prepared#network} builds the network for the data's example shape from the saved weights
 * and checks that they are exactly its tensors. It is created by Guice (as the commands are) and hands
 * the services it restores with to the command's own work, so the commands need no constructor of
 * their own.
 */
public final class RunRestorer {
    @Option(names = "--no-fetch", description = "Never fetch data; fail if it is not cached.")
    boolean noFetch;

    private final PluginCatalog catalog;
    private final AppSettings settings;
    private final EngineHolder engine;

    @Inject
    public RunRestorer(PluginCatalog catalog, AppSettings settings, EngineHolder engine) {
        this.catalog = catalog;
        this.settings = settings;
        this.engine = engine;
    }

    /** @return the plugins */
    PluginCatalog catalog() {
        return catalog;
    }

    /** @return standard output, for the command's results */
    PrintStream out() {
        return settings.out();
    }

    /** @return the engine, started on first call */
    MlxEngine engine() {
        return engine.get();
    }

    /**
     * @param saved an opened run folder
     * @return the run with its plugins resolved, its model parameters bound and its weights read
     * @throws dev.mlx.api.error.MlxException (user error) on an unknown plugin or a bad model parameter
     */
    Prepared prepare(SavedRun saved) {
        catalog.dataset(saved.config().dataset());
        String model = saved.config().model();
        ModelProvider modelProvider = catalog.model(model);
        HyperParameters modelParams = modelProvider.parameters().bind(model, saved.modelParams());
        return new Prepared(saved, modelProvider, modelParams, saved.weights());
    }

    /** A saved run whose plugins are resolved and whose weights are read. */
    final class Prepared {
        private final SavedRun saved;
        private final ModelProvider modelProvider;
        private final HyperParameters modelParams;
        private final Map<String, float[]> weights;

        private Prepared(SavedRun saved, ModelProvider modelProvider, HyperParameters modelParams,
                Map<String, float[]> weights) {
            this.saved = saved;
            this.modelProvider = modelProvider;
            this.modelParams = modelParams;
            this.weights = weights;
        }

        /** @return the run folder */
        SavedRun saved() {
            return saved;
        }

        /**
         * @return the run's dataset, rebuilt from its plugin, parameters and seed
         * @throws dev.mlx.api.error.MlxException (user error) if its checksum differs from the one the run recorded
         */
        DatasetLoader.Loaded loadData() {
            DatasetLoader.Loaded loaded = DatasetLoader.load(catalog, settings, saved.config().dataset(),
                    saved.datasetParams(), saved.seed(), !noFetch);
            saved.checkChecksum(loaded.data().checksum());
            return loaded;
        }

        /**
         * @param data the rebuilt dataset (its example shape and class count shape the model)
         * @return the run's network with the saved weights (close it when done); the engine starts here
         * @throws dev.mlx.api.error.MlxException (user error) if the weights are not exactly the network's tensors
         */
        Network network(ExplanationDataset data) {
            modelProvider.checkInputs(modelParams, data);
            Architecture architecture = modelProvider.build(modelParams, data.exampleShape(), data.numClasses());
            Network network = engine.get().networks().create(architecture, data.exampleShape(), saved.seed(), weights);
            try {
                saved.checkWeightsCover(network, weights);
            } catch (RuntimeException e) {
                network.close();
                throw e;
            }
            return network;
        }
    }
}
