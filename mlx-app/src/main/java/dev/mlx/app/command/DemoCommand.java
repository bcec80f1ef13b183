package dev.mlx.app.command;

import dev.mlx.app.plugin.PluginCatalog;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code mlx demo}: the main job. Fetches Decoy-MNIST if needed, trains ERM, RRR and Cert-R4 with
 * the papers' settings, prints the comparison table and writes it with every run's folder.
 */
@Command(name = "demo", description = "Train ERM, RRR and Cert-R4 on Decoy-MNIST and print/write the comparison table.")
public final class DemoCommand implements Callable<Integer> {
    @Option(names = "--methods", split = ",", description = "Regularizers to compare (default: erm,rrr,cert-r4).")
    List<String> methods = List.of("erm", "rrr", "cert-r4");

    @Option(names = "--dataset", description = "Dataset plugin (default: decoy-mnist).")
    String dataset = "decoy-mnist";

    @Option(names = "--dataset-param", description = "Dataset hyper-parameter, key=value (e.g. train-limit=6000).")
    Map<String, String> datasetParams = new LinkedHashMap<>();

    @Option(names = "--epochs", description = "Override every method's epochs (default: the papers' per-method values).")
    Integer epochs;

    @Option(names = "--seed", description = "Seed (default: 0).")
    long seed;

    @Option(names = {"-o", "--out"}, description = "Output folder (default: runs/demo).")
    Path out = Path.of("runs", "demo");

    @Option(names = "--overwrite", description = "Replace an existing output folder once the new one is complete.")
    boolean overwrite;

    private final ComparisonRunner runner;

    @Inject
    public DemoCommand(PluginCatalog catalog, AppSettings settings, EngineHolder engine) {
        this.runner = new ComparisonRunner(catalog, settings, engine);
    }

    @Override
    public Integer call() {
        List<String> resolved = runner.resolve(methods);
        runner.run("mlx demo: " + String.join(", ", resolved) + " on " + dataset, dataset, datasetParams, "mlp",
                resolved, epochs, seed, out, overwrite, false);
        return 0;
    }
}
