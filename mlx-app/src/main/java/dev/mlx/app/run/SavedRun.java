package dev.mlx.app.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlx.api.error.MlxException;
import dev.mlx.engine.io.Checkpoints;
import dev.mlx.engine.nn.Network;
import dev.mlx.engine.nn.Parameter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A run folder written by {@code mlx train} (or {@link RunReport#write}), read back for {@code mlx eval},
 * {@code mlx explain}, {@code mlx export}, {@code mlx predict} and a resumed comparison
 * ({@link FinishedRun}): its settings ({@code config.json}), weights ({@code model.params}) and
 * results ({@code report.json}, optional).
 *
 * @param folder the run folder
 * @param config its settings
 */
public record SavedRun(Path folder, ConfigFile config) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * @param folder a run folder
     * @return the run
     * @throws MlxException (user error) if it is not a complete run folder
     */
    public static SavedRun open(Path folder) {
        if (!Files.isDirectory(folder)) {
            throw MlxException.userError("run folder " + folder + " does not exist; pass a folder written by `mlx train`"
                    + " (it holds config.json and model.params)");
        }
        Path configFile = folder.resolve("config.json");
        if (!Files.isRegularFile(configFile)) {
            throw MlxException.userError(folder + " is not a run folder: it has no config.json; pass a folder written"
                    + " by `mlx train`");
        }
        ConfigFile config = ConfigFile.read(configFile);
        SavedRun run = new SavedRun(folder, config);
        run.required(config.dataset(), "dataset");
        run.required(config.model(), "model");
        for (var params : Map.of("datasetParams", run.datasetParams(), "modelParams", run.modelParams()).entrySet()) {
            params.getValue().forEach((k, v) -> {
                if (v == null) {
                    throw MlxException.userError(configFile + ": " + params.getKey() + "." + k + " is null");
                }
            });
        }
        return run;
    }

    private void required(String value, String key) {
        if (value == null || value.isBlank()) {
            throw MlxException.userError(folder.resolve("config.json") + " has no '" + key + "'; it is not the"
                    + " config.json of a complete run");
        }
    }

    /** @return the dataset parameters, never null */
    public Map<String, String> datasetParams() {
        return config.datasetParams() == null ? Map.of() : config.datasetParams();
    }

    /** @return the model parameters, never null */
    public Map<String, String> modelParams() {
        return config.modelParams() == null ? Map.of() : config.modelParams();
    }

    /** @return the seed of data construction and initialisation */
    public long seed() {
        return config.seed() == null ? 0L : config.seed();
    }

    /** @return the weights */
    public Map<String, float[]> weights() {
        return Checkpoints.read(folder.resolve("model.params"));
    }

    /** @return the {@code results} of report.json, or a missing node if the run has no report */
    public JsonNode results() {
        return report().path("results");
    }

    /**
     * @return report.json, or a missing node if the run has none
     * @throws MlxException (user error) if report.json is not valid JSON
     */
    public JsonNode report() {
        Path report = folder.resolve("report.json");
        if (!Files.isRegularFile(report)) {
            return JSON.missingNode();
        }
        try {
            return JSON.readTree(report.toFile());
        } catch (IOException e) {
            throw MlxException.userError(report + " is not valid JSON (" + e.getMessage() + "); restore it or delete"
                    + " it to use the run without its report", e);
        }
    }

    /**
     * The rebuilt data must be the data the run was trained and tested on (report.json records its checksum).
     *
     * @param checksum the checksum of the rebuilt dataset
     */
    public void checkChecksum(String checksum) {
        JsonNode recorded = report().path("provenance").path("datasetChecksum");
        if (recorded.isTextual() && !recorded.asText().equals(checksum)) {
            throw MlxException.userError("the dataset rebuilt from " + folder.resolve("config.json") + " has checksum "
                    + checksum + " but the run was trained on data with checksum " + recorded.asText()
                    + " (report.json); the data or the dataset parameters changed since the run");
        }
    }

    /**
     * Every tensor of the network must come from the weights file (none initialised at random, none unused).
     *
     * @param network the network built from the run's architecture
     * @param weights the weights it was built with
     */
    public void checkWeightsCover(Network network, Map<String, float[]> weights) {
        Set<String> needed = new TreeSet<>();
        for (Parameter p : network.parameters()) {
            needed.add(p.name());
        }
        Set<String> missing = new TreeSet<>(needed);
        missing.removeAll(weights.keySet());
        Set<String> extra = new TreeSet<>(weights.keySet());
        extra.removeAll(needed);
        if (!missing.isEmpty() || !extra.isEmpty()) {
            throw MlxException.userError(folder.resolve("model.params") + " does not match the model "
                    + network.architecture() + " of config.json:" + (missing.isEmpty() ? "" : " missing " + missing)
                    + (extra.isEmpty() ? "" : " unexpected " + extra));
        }
    }
}
