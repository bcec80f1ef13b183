package dev.mlx.app.command;

import dev.mlx.app.plugin.PluginCatalog;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code mlx compare}: trains a list of regularizers (or {@code all}) on one dataset with each
 * method's default settings (reference spec §11) and prints/writes one table.
 */
@Command(name = "compare", description = "Train several regularizers (or all) on one dataset and write one comparison"
        + " table (Avg Acc, Wg Acc, wall time, seconds per epoch; comparison.md/.json/.csv/.tex, the chart as"
        + " comparison.svg); with --seeds, mean ± std over restarts.")
public final class CompareCommand implements Callable<Integer> {
    @Option(names = {"-d", "--dataset"}, description = "Dataset plugin (default: decoy-mnist).")
    String dataset = "decoy-mnist";

    @Option(names = {"-m", "--model"}, description = "Model plugin (default: mlp).")
    String model = "mlp";

    @Option(names = "--methods", split = ",", required = true,
            description = "Comma-separated regularizers, or 'all' for every registered one.")
    List<String> methods;

    @Option(names = "--dataset-param", description = "Dataset hyper-parameter, key=value.")
    Map<String, String> datasetParams = new LinkedHashMap<>();

    @Option(names = "--epochs", description = "Override every method's epochs.")
    Integer epochs;

    @Mixin
    SeedOptions seeds;

    @Option(names = {"-o", "--out"}, description = "Output folder (default: runs/compare-<dataset>).")
    Path out;

    @Option(names = "--overwrite", description = "Replace an existing output folder once the new one is complete.")
    boolean overwrite;

    @Option(names = "--resume", description = "Reuse the methods an interrupted (or earlier) comparison into the same"
            + " output folder finished with identical settings, train the rest, then replace the folder.")
    boolean resume;

    private final ComparisonRunner runner;

    @Inject
    public CompareCommand(PluginCatalog catalog, AppSettings settings, EngineHolder engine) {
        this.runner = new ComparisonRunner(catalog, settings, engine);
    }

    @Override
    public Integer call() {
        List<String> resolved = runner.resolve(methods, model);
        Path target = out != null ? out : Path.of("runs", "compare-" + dataset);
        runner.run("mlx compare: " + String.join(", ", resolved) + " on " + dataset, dataset, datasetParams, model,
                resolved, new TrainingOverrides(epochs, null, null, null), seeds.seeds(), target, overwrite, resume);
        return 0;
    }
}
