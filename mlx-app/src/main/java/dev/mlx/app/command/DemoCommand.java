package dev.mlx.app.command;

import dev.mlx.app.plugin.PluginCatalog;
import dev.mlx.app.run.Comparison;
import dev.mlx.app.run.MethodDefaults;
import dev.mlx.app.run.Provenance;
import dev.mlx.app.run.RunExecutor;
import dev.mlx.app.run.RunFolder;
import dev.mlx.app.run.RunReport;
import dev.mlx.app.run.RunResult;
import dev.mlx.app.run.RunSpec;
import dev.mlx.engine.train.TrainingConfig;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.util.ArrayList;
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

    private final PluginCatalog catalog;
    private final AppSettings settings;
    private final EngineHolder engine;

    @Inject
    public DemoCommand(PluginCatalog catalog, AppSettings settings, EngineHolder engine) {
        this.catalog = catalog;
        this.settings = settings;
        this.engine = engine;
    }

    @Override
    public Integer call() throws Exception {
        methods.forEach(catalog::regularizer);
        catalog.model("mlp");
        try (RunFolder folder = RunFolder.create(out, overwrite)) {
            DatasetLoader.Loaded loaded = DatasetLoader.load(catalog, settings, dataset, datasetParams, seed, true);
            List<RunResult> results = new ArrayList<>();
            long t0 = System.nanoTime();
            for (String method : methods) {
                MethodDefaults d = MethodDefaults.of(dataset, method);
                int e = epochs != null ? epochs : d.epochs();
                RunSpec spec = new RunSpec(dataset, datasetParams, "mlp", Map.of(), method, Map.of(),
                        new TrainingConfig(e, d.batchSize(), d.learningRate(), 0.0, seed));
                RunResult result = new RunExecutor(catalog, engine.get()).execute(spec, loaded.params(), loaded.data(),
                        new ProgressListener(settings.err(), method, e));
                RunReport.write(folder, method + "/", result, catalog.registry());
                results.add(result);
            }
            double total = (System.nanoTime() - t0) / 1e9;
            String table = Comparison.markdown(results);
            String header = "# mlx demo: " + String.join(", ", methods) + " on " + dataset + "\n\n"
                    + loaded.data().train().size() + " training / " + loaded.data().test().size()
                    + " test images, seed " + seed + ", " + Runtime.getRuntime().availableProcessors() + " CPUs, "
                    + "torch threads " + System.getProperty("ai.djl.pytorch.num_threads", "default")
                    + String.format(java.util.Locale.ROOT, ", total training time %.0f s.%n%n", total)
                    + "Avg Acc = mean of the per-group (per-digit) test accuracies; Wg Acc = the lowest one. The test"
                    + " decoy patch has a random digit's colour, so a model that reads the patch fails on it.\n\n";
            folder.writeText("comparison.md", header + table);
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("dataset", dataset);
            json.put("seed", seed);
            json.put("mlxVersion", Provenance.mlxVersion());
            json.put("totalSeconds", total);
            json.put("runs", Comparison.json(results));
            folder.writeText("comparison.json",
                    new com.fasterxml.jackson.databind.ObjectMapper().writerWithDefaultPrettyPrinter()
                            .writeValueAsString(json));
            folder.commit();
            settings.out().println();
            settings.out().print(header + table);
            settings.out().println();
            settings.out().println("written to " + folder.target());
        }
        return 0;
    }
}
