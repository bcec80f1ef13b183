package dev.mlx.app.command;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.mlx.api.data.DataSplit;
import dev.mlx.api.error.ErrorKind;
import dev.mlx.api.error.MlxException;
import dev.mlx.api.metric.EvaluationContext;
import dev.mlx.api.metric.Metric;
import dev.mlx.api.metric.MetricProvider;
import dev.mlx.api.metric.MetricResult;
import dev.mlx.api.param.HyperParameters;
import dev.mlx.api.param.ParameterSpec;
import dev.mlx.app.plugin.PluginKind;
import dev.mlx.app.plugin.PluginRegistry;
import dev.mlx.app.report.AtomicFiles;
import dev.mlx.app.run.ConfigFile;
import dev.mlx.app.run.Provenance;
import dev.mlx.app.run.SavedRun;
import dev.mlx.engine.MlxEngine;
import dev.mlx.engine.nn.Network;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code mlx eval}: evaluates metric plugins on a saved run. Reads the run's {@code config.json} and
 * {@code model.params}, rebuilds the dataset (same plugin, parameters and seed, checked against the
 * checksum in {@code report.json}) and the network, evaluates each metric on one split, prints a table
 * and writes {@code eval.json} into the run folder (atomically: a temporary file moved into place).
 */
@Command(name = "eval", description = "Evaluate metrics (group accuracy, certified fragility, ...) on a saved run"
        + " and write <run>/eval.json.")
public final class EvalCommand implements Callable<Integer> {
    static final String DEFAULT_METRICS = "group-accuracy,fragility";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @Option(names = "--run", required = true, description = "The run folder written by `mlx train` (config.json,"
            + " model.params).")
    Path run;

    @Option(names = "--metrics", split = ",", description = "Metric plugins, comma-separated (default: "
            + DEFAULT_METRICS + "; `mlx plugins` lists them).")
    List<String> metrics = new ArrayList<>(List.of(DEFAULT_METRICS.split(",")));

    @Mixin
    SplitOption split;

    @Option(names = {"-P", "--metric-param"}, description = "Metric hyper-parameter, key=value for every selected"
            + " metric that declares it, or metric.key=value for one (repeatable), e.g. -P epsilon=0.1.")
    Map<String, String> metricParams = new LinkedHashMap<>();

    @Option(names = "--batch-size", description = "Examples per forward pass (default: the run's batch size).")
    Integer batchSize;

    @Option(names = "--seed", description = "Seed of the metrics' random draws (default: the run's seed).")
    Long seed;

    @Option(names = {"-o", "--out"}, description = "Where to write the results (default: <run>/eval.json).")
    Path out;

    @Mixin
    RunRestorer restorer;

    /**
     * A metric resolved and bound before any work.
     *
     * @param name its name
     * @param provider its provider
     * @param params its bound hyper-parameters
     */
    record Selected(String name, MetricProvider provider, HyperParameters params) {}

    @Override
    public Integer call() {
        SavedRun saved = SavedRun.open(run);
        ConfigFile config = saved.config();
        split.check();
        List<Selected> selected = selectMetrics();
        // Resolve the dataset and the model, and read the weights, before loading any data.
        RunRestorer.Prepared prepared = restorer.prepare(saved);
        int batch = batchSize != null ? batchSize : config.batchSize() != null ? config.batchSize() : 1000;
        if (batch < 1) {
            throw MlxException.userError("--batch-size must be >= 1, got " + batch);
        }
        long metricSeed = seed != null ? seed : saved.seed();

        DatasetLoader.Loaded loaded = prepared.loadData();
        DataSplit data = split.of(loaded.data());

        List<MetricResult> results = new ArrayList<>();
        Map<String, Double> seconds = new LinkedHashMap<>();
        try (Network network = prepared.network(loaded.data())) {
            MlxEngine mlx = restorer.engine();
            for (Selected s : selected) {
                Metric metric = s.provider().create(s.params());
                long t0 = System.nanoTime();
                try (NDManager manager = mlx.manager().newSubManager()) {
                    results.add(metric.evaluate(network, data, new EvaluationContext(manager, batch, metricSeed)));
                }
                seconds.put(s.name(), (System.nanoTime() - t0) / 1e9);
            }
        }

        Path target = out != null ? out : run.resolve("eval.json");
        writeAtomically(target, json(config, selected, results, seconds, data, batch, metricSeed,
                loaded.data().checksum()));
        printTable(data, results, target);
        return 0;
    }

    /** Resolves the metric names and binds their parameters, failing before any work on a bad name or value. */
    private List<Selected> selectMetrics() {
        Set<String> names = new LinkedHashSet<>();
        for (String m : metrics) {
            String name = m.trim();
            if (name.isEmpty()) {
                throw MlxException.userError("--metrics has an empty name; give a comma-separated list such as "
                        + DEFAULT_METRICS);
            }
            names.add(name);
        }
        Map<String, MetricProvider> providers = new LinkedHashMap<>();
        for (String name : names) {
            providers.put(name, restorer.catalog().metric(name));
        }
        Map<String, Map<String, String>> raw = new LinkedHashMap<>();
        providers.keySet().forEach(n -> raw.put(n, new LinkedHashMap<>()));
        // Plain keys first, so a qualified metric.key overrides them.
        metricParams.forEach((key, value) -> {
            if (!key.contains(".")) {
                List<String> takers = providers.entrySet().stream()
                        .filter(e -> e.getValue().parameters().specs().stream().anyMatch(p -> p.name().equals(key)))
                        .map(Map.Entry::getKey).toList();
                if (takers.isEmpty()) {
                    throw MlxException.userError("-P " + key + "=" + value + ": none of the selected metrics ("
                            + String.join(", ", providers.keySet()) + ") has a parameter '" + key + "'; their parameters: "
                            + describeParameters(providers));
                }
                takers.forEach(t -> raw.get(t).put(key, value));
            }
        });
        metricParams.forEach((key, value) -> {
            int dot = key.indexOf('.');
            if (dot >= 0) {
                String metric = key.substring(0, dot);
                if (!providers.containsKey(metric)) {
                    throw MlxException.userError("-P " + key + "=" + value + " is for metric '" + metric
                            + "', which is not selected; selected metrics: " + String.join(", ", providers.keySet()));
                }
                raw.get(metric).put(key.substring(dot + 1), value);
            }
        });
        List<Selected> selected = new ArrayList<>();
        providers.forEach((name, provider) ->
                selected.add(new Selected(name, provider, provider.parameters().bind(name, raw.get(name)))));
        return selected;
    }

    private static String describeParameters(Map<String, MetricProvider> providers) {
        return providers.entrySet().stream()
                .map(e -> e.getKey() + ": " + (e.getValue().parameters().specs().isEmpty() ? "(none)"
                        : e.getValue().parameters().specs().stream().map(ParameterSpec::name)
                                .collect(Collectors.joining(", "))))
                .collect(Collectors.joining("; "));
    }

    private Map<String, Object> json(ConfigFile config, List<Selected> selected, List<MetricResult> results,
            Map<String, Double> seconds, DataSplit data, int batch, long metricSeed, String checksum) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("run", run.toAbsolutePath().normalize().toString());
        root.put("split", split.name());
        root.put("examples", data.size());
        root.put("batchSize", batch);
        root.put("seed", metricSeed);
        Map<String, Object> metricMap = new LinkedHashMap<>();
        for (int i = 0; i < selected.size(); i++) {
            Selected s = selected.get(i);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("params", s.params().toStringMap());
            m.put("values", results.get(i).values());
            m.put("seconds", seconds.get(s.name()));
            metricMap.put(s.name(), m);
        }
        root.put("metrics", metricMap);
        Map<String, Object> provenance = Provenance.environment();
        provenance.put("datasetChecksum", checksum);
        Map<String, Object> plugins = new LinkedHashMap<>();
        PluginRegistry registry = restorer.catalog().registry();
        plugins.put("dataset", Provenance.plugin(registry.require(PluginKind.DATASET, config.dataset())));
        plugins.put("model", Provenance.plugin(registry.require(PluginKind.MODEL, config.model())));
        Map<String, Object> metricPlugins = new LinkedHashMap<>();
        selected.forEach(s -> metricPlugins.put(s.name(),
                Provenance.plugin(registry.require(PluginKind.METRIC, s.name()))));
        plugins.put("metrics", metricPlugins);
        provenance.put("plugins", plugins);
        provenance.put("pluginJars", Provenance.jars(registry));
        root.put("provenance", provenance);
        root.put("config", config);
        return root;
    }


    /** Writes {@code value} as JSON to {@code target} all or nothing ({@link AtomicFiles}), creating its folder. */
    static void writeAtomically(Path target, Object value) {
        Path absolute = target.toAbsolutePath().normalize();
        try {
            Files.createDirectories(absolute.getParent());
            AtomicFiles.write(absolute, JSON.writeValueAsBytes(value));
        } catch (IOException e) {
            throw new MlxException(ErrorKind.RESOURCES, "cannot write " + target + ": " + e.getMessage(), e);
        }
    }

    private void printTable(DataSplit data, List<MetricResult> results, Path target) {
        PrintStream stdout = restorer.out();
        stdout.printf(Locale.ROOT, "eval of %s on the %s split (%d examples)%n%n", run, split.name(), data.size());
        stdout.println("| metric | name | value |");
        stdout.println("|---|---|---|");
        for (MetricResult r : results) {
            r.values().forEach((name, v) -> stdout.printf(Locale.ROOT, "| %s | %s | %s |%n", r.metric(), name,
                    format(v)));
        }
        stdout.println();
        stdout.println("written: " + target);
    }

    static String format(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return Double.toString(v);
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e9) {
            return Long.toString((long) v);
        }
        return String.format(Locale.ROOT, "%.6g", v);
    }
}
