package dev.mlx.app.command;

import dev.mlx.api.model.Architecture;
import dev.mlx.api.model.ModelProvider;
import dev.mlx.api.param.HyperParameters;
import dev.mlx.app.plugin.PluginCatalog;
import dev.mlx.app.run.Provenance;
import dev.mlx.engine.nn.Network;
import dev.mlx.engine.onnx.OnnxExporter;
import dev.mlx.engine.onnx.OnnxModel;
import dev.mlx.engine.onnx.OnnxWriter;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code mlx export <run> [-o model.onnx]}: writes the trained model of a run folder as an ONNX
 * file (IR 8, operator set 17; input {@code input} of shape {@code [batch, exampleShape...]},
 * output {@code logits} of shape {@code [batch, classes]}). Rebuilds the network from
 * {@code config.json} and {@code model.params} as {@code mlx eval} does (loading the dataset for
 * the example shape and class count, checked against the run's dataset checksum), translates it
 * with {@link OnnxExporter} and records the run's provenance in the model's metadata.
 */
@Command(name = "export", description = "Export the trained model of a run folder to ONNX (default:"
        + " <run>/model.onnx); run it with `mlx predict`.")
public final class ExportCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "<run>", description = "The run folder written by `mlx train`.")
    Path run;

    @Option(names = {"-o", "--out"}, description = "The ONNX file to write (default: <run>/model.onnx).")
    Path out;

    @Option(names = "--no-fetch", description = "Never fetch data; fail if it is not cached.")
    boolean noFetch;

    private final PluginCatalog catalog;
    private final AppSettings settings;
    private final EngineHolder engine;

    @Inject
    public ExportCommand(PluginCatalog catalog, AppSettings settings, EngineHolder engine) {
        this.catalog = catalog;
        this.settings = settings;
        this.engine = engine;
    }

    @Override
    public Integer call() throws IOException {
        SavedRun saved = SavedRun.open(run);
        String dataset = saved.config().dataset();
        String model = saved.config().model();
        catalog.dataset(dataset);
        ModelProvider modelProvider = catalog.model(model);
        HyperParameters modelParams = modelProvider.parameters().bind(model, saved.modelParams());
        Map<String, float[]> weights = saved.weights();
        DatasetLoader.Loaded loaded = DatasetLoader.load(catalog, settings, dataset, saved.datasetParams(),
                saved.seed(), !noFetch);
        saved.checkChecksum(loaded.data().checksum());
        int[] exampleShape = loaded.data().exampleShape();
        Architecture architecture = modelProvider.build(modelParams, exampleShape, loaded.data().numClasses());
        Path target = out != null ? out : run.resolve("model.onnx");

        OnnxModel onnx;
        long parameters;
        try (Network network = engine.get().networks().create(architecture, exampleShape, saved.seed(), weights)) {
            saved.checkWeightsCover(network, weights);
            parameters = network.parameters().stream().mapToLong(p -> p.array().size()).sum();
            onnx = new OnnxExporter().export(network, exampleShape, Provenance.mlxVersion(),
                    metadata(saved, loaded.data().checksum()));
        }
        OnnxWriter.write(onnx, target);
        settings.out().printf(Locale.ROOT, "exported %s (%s, %s -> %d classes) to %s: %d ONNX nodes, %d weights,"
                        + " %d bytes%n", run, architecture, Arrays.toString(exampleShape), loaded.data().numClasses(),
                target, onnx.graph().nodes().size(), parameters, Files.size(target));
        return 0;
    }

    private Map<String, String> metadata(SavedRun saved, String checksum) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("mlx.run", run.toAbsolutePath().normalize().toString());
        m.put("mlx.dataset", saved.config().dataset());
        m.put("mlx.datasetParams", saved.datasetParams().toString());
        m.put("mlx.datasetChecksum", checksum);
        m.put("mlx.model", saved.config().model());
        m.put("mlx.modelParams", saved.modelParams().toString());
        if (saved.config().regularizer() != null) {
            m.put("mlx.regularizer", saved.config().regularizer());
        }
        m.put("mlx.seed", Long.toString(saved.seed()));
        return m;
    }
}
