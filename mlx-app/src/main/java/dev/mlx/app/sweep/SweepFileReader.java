package dev.mlx.app.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mlx.api.error.MlxException;
import dev.mlx.app.command.DataModelOptions;
import dev.mlx.app.config.ConfigReader;
import dev.mlx.app.plugin.PluginCatalog;
import dev.mlx.app.run.MethodDefaults;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a sweep file (YAML or JSON, through {@link ConfigReader}) into a {@link SweepDefinition}
 * and checks everything a trial would check, so that a bad file fails before anything is written:
 * every key, every plugin name, every hyper-parameter of every expanded setting (bound by the
 * plugin's own schema), the seeds. Each problem is one message naming the file and the key.
 *
 * <pre>
 * dataset: decoy-mnist                  # required
 * datasetParams: {train-limit: 1000}    # optional, as --dataset-param
 * model: mlp                            # default mlp
 * modelParams: {}                       # optional, as --model-param
 * seeds: [0, 1, 2]                      # default [0]
 * selection: val-wg                     # val-wg (default) or val-avg
 * training: {epochs: 5}                 # lr, epochs, batch-size, weight-decay for every method
 * methods:
 *   erm: {}                             # the method's defaults
 *   rrr:                                # a grid: every combination of the lists
 *     lambda: [1, 10, 100]
 *     lr: [0.001, 0.01]
 *   cert-r4:                            # a list: exactly these settings
 *     - {epsilon: 0.1, lambda: 1}
 *     - {epsilon: 0.05, lambda: 10}
 * </pre>
 */
public final class SweepFileReader {
    /** The top-level keys of a sweep file. */
    public static final List<String> KEYS = List.of("dataset", "datasetParams", "model", "modelParams", "seeds",
            "selection", "training", "methods");
    /** More settings than this in one method is almost surely a mistake in the file. */
    static final int MAX_SETTINGS = 10_000;

    private final PluginCatalog catalog;

    /** @param catalog the plugins that names are checked against */
    public SweepFileReader(PluginCatalog catalog) {
        this.catalog = catalog;
    }

    /**
     * @param file the sweep file
     * @return the validated sweep
     * @throws MlxException (user error) naming the file, the key and the problem
     */
    public SweepDefinition read(Path file) {
        ConfigReader r = ConfigReader.readTree(file, "sweep file");
        JsonNode root = r.root();
        r.requireMapping(root, "", KEYS);
        for (Iterator<String> it = root.fieldNames(); it.hasNext();) {
            String key = it.next();
            if (!KEYS.contains(key)) {
                throw r.error("unknown key \"" + key + "\". Allowed keys: " + String.join(", ", KEYS));
            }
        }
        String dataset = text(r, root, "dataset", null);
        String model = text(r, root, "model", DataModelOptions.DEFAULT_MODEL);
        Map<String, String> datasetParams = scalars(r, root.get("datasetParams"), "datasetParams");
        Map<String, String> modelParams = scalars(r, root.get("modelParams"), "modelParams");
        rethrow(r, "datasetParams", () -> catalog.dataset(dataset).parameters().bind(dataset, datasetParams));
        rethrow(r, "modelParams", () -> catalog.model(model).parameters().bind(model, modelParams));
        List<Long> seeds = seeds(r, root.get("seeds"));
        SelectionMetric selection = rethrow(r, "selection",
                () -> SelectionMetric.parse(text(r, root, "selection", SelectionMetric.VAL_WG.fileName())));
        Map<String, String> training = scalars(r, root.get("training"), "training");
        for (String key : training.keySet()) {
            if (!SweepDefinition.TRAINING_KEYS.contains(key)) {
                throw r.error("unknown key \"training." + key + "\". Allowed keys in \"training\": "
                        + String.join(", ", SweepDefinition.TRAINING_KEYS));
            }
            checkTraining(r, "training." + key, key, training.get(key));
        }
        JsonNode methods = root.get("methods");
        if (methods == null || methods.isNull()) {
            throw r.error("\"methods\" is missing: name at least one method, e.g. methods: {erm: {}, rrr: {lambda: "
                    + "[1, 10]}}");
        }
        r.requireMapping(methods, "methods", List.of("<method>: <grid or list of settings>"));
        if (methods.isEmpty()) {
            throw r.error("\"methods\" is empty: name at least one method");
        }
        List<MethodSweep> sweeps = new ArrayList<>();
        Set<String> plugins = new LinkedHashSet<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = methods.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            String method = e.getKey();
            String where = "methods." + method;
            String plugin = rethrow(r, where, () -> catalog.regularizerFor(method, model));
            if (!plugins.add(plugin)) {
                throw r.error("\"" + where + "\": " + plugin + " is listed twice; list each method once");
            }
            List<Map<String, String>> settings = settings(r, e.getValue(), where);
            for (int i = 0; i < settings.size(); i++) {
                Map<String, String> setting = settings.get(i);
                String at = settings.size() == 1 ? where : where + " (setting " + (i + 1) + " " + setting + ")";
                Map<String, String> params = new LinkedHashMap<>(MethodDefaults.of(dataset, plugin).regularizerParams());
                setting.forEach((k, v) -> {
                    if (SweepDefinition.TRAINING_KEYS.contains(k)) {
                        checkTraining(r, where + "." + k, k, v);
                    } else {
                        params.put(k, v);
                    }
                });
                rethrow(r, at, () -> catalog.regularizer(plugin).parameters().bind(plugin, params));
            }
            sweeps.add(new MethodSweep(method, plugin, settings));
        }
        return new SweepDefinition(dataset, datasetParams, model, modelParams, seeds, selection, training, sweeps);
    }

    /** Expands a method's node: a mapping is a grid (every combination), a list holds settings (each a grid). */
    private static List<Map<String, String>> settings(ConfigReader r, JsonNode node, String where) {
        if (node == null || node.isNull()) {
            return List.of(Map.of());
        }
        if (node.isArray()) {
            if (node.isEmpty()) {
                throw r.error("\"" + where + "\" is an empty list of settings; give at least one, or {} for the "
                        + "method's defaults");
            }
            List<Map<String, String>> all = new ArrayList<>();
            for (int i = 0; i < node.size(); i++) {
                all.addAll(grid(r, node.get(i), where + "[" + i + "]"));
            }
            return all;
        }
        return grid(r, node, where);
    }

    private static List<Map<String, String>> grid(ConfigReader r, JsonNode node, String where) {
        r.requireMapping(node, where, List.of("a hyper-parameter of the method", String.join(", ",
                SweepDefinition.TRAINING_KEYS)));
        List<Map<String, String>> settings = new ArrayList<>();
        settings.add(new LinkedHashMap<>());
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            String key = where + "." + e.getKey();
            List<String> values = new ArrayList<>();
            if (e.getValue().isArray()) {
                if (e.getValue().isEmpty()) {
                    throw r.error("\"" + key + "\" is an empty grid; give at least one value");
                }
                for (JsonNode v : e.getValue()) {
                    values.add(scalar(r, v, key));
                }
            } else {
                values.add(scalar(r, e.getValue(), key));
            }
            if (new LinkedHashSet<>(values).size() != values.size()) {
                throw r.error("\"" + key + "\" lists a value twice: " + values);
            }
            List<Map<String, String>> next = new ArrayList<>();
            for (Map<String, String> s : settings) {
                for (String v : values) {
                    Map<String, String> m = new LinkedHashMap<>(s);
                    m.put(e.getKey(), v);
                    next.add(m);
                }
            }
            settings = next;
            if (settings.size() > MAX_SETTINGS) {
                throw r.error("\"" + where + "\" expands to more than " + MAX_SETTINGS + " settings; narrow the grid");
            }
        }
        return settings;
    }

    private static void checkTraining(ConfigReader r, String where, String key, String value) {
        try {
            switch (key) {
                case "epochs", "batch-size" -> {
                    if (Integer.parseInt(value) < 1) {
                        throw r.error("\"" + where + "\" is " + value + "; it must be a whole number >= 1");
                    }
                }
                default -> {
                    double d = Double.parseDouble(value);
                    if (!(d >= 0) || Double.isInfinite(d) || key.equals("lr") && d == 0) {
                        throw r.error("\"" + where + "\" is " + value + "; it must be a number "
                                + (key.equals("lr") ? "> 0" : ">= 0"));
                    }
                }
            }
        } catch (NumberFormatException e) {
            throw r.error("\"" + where + "\" has the value '" + value + "', which is not "
                    + (key.equals("epochs") || key.equals("batch-size") ? "a whole number" : "a number"));
        }
    }

    private static List<Long> seeds(ConfigReader r, JsonNode node) {
        if (node == null || node.isNull()) {
            return List.of(0L);
        }
        List<JsonNode> items = new ArrayList<>();
        if (node.isArray()) {
            node.forEach(items::add);
        } else {
            items.add(node);
        }
        if (items.isEmpty()) {
            throw r.error("\"seeds\" is empty; give at least one seed, e.g. seeds: [0, 1, 2]");
        }
        Set<Long> seeds = new LinkedHashSet<>();
        for (JsonNode s : items) {
            if (!s.canConvertToLong() || !s.isIntegralNumber() || s.asLong() < 0) {
                throw r.error("\"seeds\" holds " + s + "; seeds are whole numbers >= 0");
            }
            if (!seeds.add(s.asLong())) {
                throw r.error("\"seeds\" lists " + s.asLong() + " twice; give every seed once");
            }
        }
        return List.copyOf(seeds);
    }

    private static String text(ConfigReader r, JsonNode root, String key, String fallback) {
        JsonNode n = root.get(key);
        if (n == null || n.isNull()) {
            if (fallback == null) {
                throw r.error("\"" + key + "\" is missing; it names the " + key + " plugin (see mlx plugins)");
            }
            return fallback;
        }
        if (!n.isTextual()) {
            throw r.error("\"" + key + "\" must be a name, not " + n);
        }
        return n.asText();
    }

    private static Map<String, String> scalars(ConfigReader r, JsonNode node, String where) {
        Map<String, String> m = new LinkedHashMap<>();
        if (node == null || node.isNull()) {
            return m;
        }
        r.requireMapping(node, where, List.of("key: value"));
        node.fields().forEachRemaining(e -> m.put(e.getKey(), scalar(r, e.getValue(), where + "." + e.getKey())));
        return m;
    }

    private static String scalar(ConfigReader r, JsonNode v, String where) {
        if (v == null || v.isNull() || v.isContainerNode()) {
            throw r.error("\"" + where + "\" must be a single value (text or number), not "
                    + (v == null || v.isNull() ? "empty" : v.isArray() ? "a list" : "a mapping"));
        }
        return v.asText();
    }

    private interface Check<T> {
        T get();
    }

    /** Runs a plugin check and prefixes its one-line message with the file and the key. */
    private static <T> T rethrow(ConfigReader r, String where, Check<T> check) {
        try {
            return check.get();
        } catch (MlxException e) {
            if (e.getMessage() != null && e.getMessage().startsWith("sweep file ")) {
                throw e;
            }
            throw r.error("\"" + where + "\": " + e.getMessage());
        }
    }
}
