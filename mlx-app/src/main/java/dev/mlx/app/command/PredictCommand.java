package dev.mlx.app.command;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mlx.api.data.DataSplit;
import dev.mlx.api.error.MlxException;
import dev.mlx.app.plugin.PluginCatalog;
import dev.mlx.app.run.SavedRun;
import dev.mlx.app.serve.OnnxPredictor;
import dev.mlx.app.serve.Predictions;
import dev.mlx.app.serve.SessionFactory;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code mlx predict <model.onnx> (--run <folder> | --dataset <name> ...)}: runs an exported model
 * with ONNX Runtime on a dataset split and prints (and with {@code -o} writes as JSON) accuracy,
 * Avg Acc, Wg Acc and the per-group accuracies, defined as {@code mlx train} defines them (see
 * {@link Predictions}). The dataset is the run folder's (same plugin, parameters and seed, checked
 * against its checksum; on the test split the result is compared with the run's
 * {@code report.json}) or the one named on the command line. The execution provider is chosen at
 * run time by {@link SessionFactory} (CUDA when usable, else CPU) and printed.
 */
@Command(name = "predict", description = "Run an exported ONNX model with ONNX Runtime (CUDA when available, else"
        + " CPU) on a dataset split and report accuracy, Avg Acc and Wg Acc.")
public final class PredictCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "<model.onnx>", description = "The ONNX file (from `mlx export`).")
    Path model;

    @Option(names = "--run", description = "Take the dataset, its parameters and the seed from this run folder's"
            + " config.json, and compare with its report.json.")
    Path run;

    @Option(names = {"-d", "--dataset"}, description = "Dataset plugin (when no --run is given).")
    String dataset;

    @Option(names = "--dataset-param", description = "Dataset hyper-parameter, key=value (repeatable; with"
            + " --dataset).")
    Map<String, String> datasetParams = new LinkedHashMap<>();

    @Option(names = "--seed", description = "Seed of the data construction (with --dataset; default: 0).")
    Long seed;

    @Mixin
    SplitOption split;

    @Option(names = "--batch-size", description = "Examples per forward pass (default: 500).")
    int batchSize = 500;

    @Option(names = "--threads", description = "ONNX Runtime intra-op threads (default: 0 = one per core).")
    int threads;

    @Option(names = {"-o", "--out"}, description = "Also write the results as JSON to this file.")
    Path out;

    @Option(names = "--no-fetch", description = "Never fetch data; fail if it is not cached.")
    boolean noFetch;

    private final PluginCatalog catalog;
    private final AppSettings settings;

    @Inject
    public PredictCommand(PluginCatalog catalog, AppSettings settings) {
        this.catalog = catalog;
        this.settings = settings;
    }

    @Override
    public Integer call() {
        split.check();
        if (batchSize < 1) {
            throw MlxException.userError("--batch-size must be >= 1, got " + batchSize);
        }
        SavedRun saved = run == null ? null : SavedRun.open(run);
        if (saved != null && (dataset != null || !datasetParams.isEmpty() || seed != null)) {
            throw MlxException.userError("--run takes the dataset, its parameters and the seed from the run folder;"
                    + " drop --dataset, --dataset-param and --seed, or drop --run");
        }
        if (saved == null && dataset == null) {
            throw MlxException.userError("name the data: --run <run folder> (its dataset settings) or --dataset <name>"
                    + " (`mlx plugins` lists them)");
        }
        String name = saved != null ? saved.config().dataset() : dataset;
        Map<String, String> params = saved != null ? saved.datasetParams() : datasetParams;
        long dataSeed = saved != null ? saved.seed() : seed == null ? 0L : seed;
        catalog.dataset(name);

        try (OnnxPredictor predictor = OnnxPredictor.open(model, SessionFactory.system(), threads)) {
            DatasetLoader.Loaded loaded = DatasetLoader.load(catalog, settings, name, params, dataSeed, !noFetch);
            if (saved != null) {
                saved.checkChecksum(loaded.data().checksum());
            }
            DataSplit data = split.of(loaded.data());
            Predictions predictions = predictor.predict(data, batchSize);
            Comparison comparison = saved != null && split.isTest() ? compare(saved, predictions) : null;
            print(data, predictor, predictions, comparison);
            if (out != null) {
                EvalCommand.writeAtomically(out, json(name, loaded, data, predictor, predictions, comparison));
                settings.out().println("written: " + out);
            }
        }
        return 0;
    }

    /**
     * The run's reported test results next to the ONNX model's.
     *
     * @param reported the values of report.json (testAccuracy, avgGroupAccuracy, worstGroupAccuracy)
     * @param identical whether the ONNX model reproduces each of them exactly
     */
    record Comparison(Map<String, Double> reported, boolean identical) {}

    private static Comparison compare(SavedRun saved, Predictions predictions) {
        JsonNode results = saved.results();
        if (results.isMissingNode()) {
            return null;
        }
        Map<String, Double> reported = new LinkedHashMap<>();
        reported.put("accuracy", results.path("testAccuracy").asDouble(Double.NaN));
        reported.put("avg-group-accuracy", results.path("avgGroupAccuracy").asDouble(Double.NaN));
        reported.put("worst-group-accuracy", results.path("worstGroupAccuracy").asDouble(Double.NaN));
        Map<String, Double> ours = predictions.metrics();
        boolean identical = reported.entrySet().stream()
                .allMatch(e -> Double.compare(e.getValue(), ours.get(e.getKey())) == 0);
        return new Comparison(reported, identical);
    }

    private void print(DataSplit data, OnnxPredictor predictor, Predictions predictions, Comparison comparison) {
        settings.out().printf(Locale.ROOT, "predict %s on %s (%d examples) with ONNX Runtime on %s%n%n", model,
                data.name(), data.size(), predictor.provider());
        settings.out().println("| metric | value |");
        settings.out().println("|---|---|");
        predictions.metrics().forEach((k, v) -> settings.out().printf(Locale.ROOT, "| %s | %s |%n", k,
                EvalCommand.format(v)));
        settings.out().printf(Locale.ROOT, "%n%.3f s, %.0f examples/s%n", predictions.seconds(),
                data.size() / Math.max(predictions.seconds(), 1e-9));
        if (comparison != null) {
            settings.out().printf(Locale.ROOT, "report.json of %s: test accuracy %s, Avg Acc %s, Wg Acc %s: %s%n", run,
                    EvalCommand.format(comparison.reported().get("accuracy")),
                    EvalCommand.format(comparison.reported().get("avg-group-accuracy")),
                    EvalCommand.format(comparison.reported().get("worst-group-accuracy")),
                    comparison.identical() ? "reproduced exactly" : "NOT reproduced");
        }
    }

    private Map<String, Object> json(String name, DatasetLoader.Loaded loaded, DataSplit data,
            OnnxPredictor predictor, Predictions predictions, Comparison comparison) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("model", model.toAbsolutePath().normalize().toString());
        root.put("provider", predictor.provider().name());
        root.put("providerReason", predictor.provider().reason());
        root.put("dataset", name);
        root.put("datasetParams", loaded.params().toStringMap());
        root.put("datasetChecksum", loaded.data().checksum());
        root.put("split", split.name());
        root.put("examples", data.size());
        root.put("batchSize", batchSize);
        root.put("seconds", predictions.seconds());
        root.put("metrics", predictions.metrics());
        if (comparison != null) {
            root.put("run", run.toAbsolutePath().normalize().toString());
            root.put("reported", comparison.reported());
            root.put("reproducesReport", comparison.identical());
        }
        return root;
    }
}
