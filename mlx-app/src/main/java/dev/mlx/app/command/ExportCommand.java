package dev.mlx.app.command;

import dev.mlx.api.model.Architecture;
import dev.mlx.app.run.Provenance;
import dev.mlx.app.run.SavedRun;
import dev.mlx.engine.nn.Network;
import dev.mlx.engine.onnx.OnnxExporter;
import dev.mlx.engine.onnx.OnnxModel;
import dev.mlx.engine.onnx.OnnxWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
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

    @Mixin
    RunRestorer restorer;

    @Override
    public Integer call() throws IOException {
        RunRestorer.Prepared prepared = restorer.prepare(SavedRun.open(run));
        SavedRun saved = prepared.saved();
        DatasetLoader.Loaded loaded = prepared.loadData();
        int[] exampleShape = loaded.data().exampleShape();
        Path target = out != null ? out : run.resolve("model.onnx");

        OnnxModel onnx;
        long parameters;
        Architecture architecture;
        try (Network network = prepared.network(loaded.data())) {
            architecture = network.architecture();
            parameters = network.parameters().stream().mapToLong(p -> p.array().size()).sum();
            onnx = new OnnxExporter().export(network, exampleShape, Provenance.mlxVersion(),
                    metadata(saved, loaded.data().checksum()));
        }
        OnnxWriter.write(onnx, target);
        restorer.out().printf(Locale.ROOT, "exported %s (%s, %s -> %d classes) to %s: %d ONNX nodes, %d weights,"
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
