package dev.mlx.app.run;

import dev.mlx.api.error.MlxException;
import dev.mlx.app.config.ConfigReader;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON form of a run's settings, as written to {@code config.json} and accepted by
 * {@code mlx train --config}, which also takes the same keys in YAML ({@link ConfigReader}).
 * Unknown keys and wrong types are rejected with the key named.
 *
 * <pre>{@code
 * { "dataset": "decoy-mnist", "datasetParams": {"train-limit": "6000"},
 *   "model": "mlp", "modelParams": {},
 *   "regularizer": "cert-r4", "regularizerParams": {"epsilon": "0.5"},
 *   "epochs": 25, "batchSize": 1000, "learningRate": 0.001, "weightDecay": 0, "seed": 0,
 *   "fragments": 1 }
 * }</pre>
 *
 * @param dataset dataset name
 * @param datasetParams dataset hyper-parameters
 * @param model model name
 * @param modelParams model hyper-parameters
 * @param regularizer regularizer name
 * @param regularizerParams regularizer hyper-parameters
 * @param epochs epochs
 * @param batchSize batch size
 * @param learningRate learning rate
 * @param weightDecay weight decay
 * @param seed seed
 * @param fragments gradient accumulation: fragments per batch (absent in files written before it
 *     existed, which means 1)
 * @param device where the run trained ({@code cpu}, {@code cuda:0}); a record only: the device of a
 *     new run is chosen with {@code --device} or {@code MLX_DEVICE}
 */
public record ConfigFile(String dataset, Map<String, String> datasetParams, String model,
        Map<String, String> modelParams, String regularizer, Map<String, String> regularizerParams, Integer epochs,
        Integer batchSize, Double learningRate, Double weightDecay, Long seed, Integer fragments, String device) {

    /** The keys a config file may hold, in the order {@code config.json} writes them. */
    public static final List<String> KEYS = List.of("dataset", "datasetParams", "model", "modelParams", "regularizer",
            "regularizerParams", "epochs", "batchSize", "learningRate", "weightDecay", "seed", "fragments", "device");

    /**
     * @param file a JSON or YAML config file ({@link ConfigReader} chooses the format)
     * @return its settings (absent keys are {@code null})
     * @throws MlxException (user error) naming the file, the key and the problem
     */
    public static ConfigFile read(Path file) {
        return ConfigReader.read(file, "config file", ConfigFile.class, KEYS);
    }

    /**
     * @param result a finished run
     * @return its settings as a JSON-ready map, readable by {@link #read}
     */
    public static Map<String, Object> toJson(RunSpec s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("dataset", s.dataset());
        m.put("datasetParams", s.datasetParams());
        m.put("model", s.model());
        m.put("modelParams", s.modelParams());
        m.put("regularizer", s.regularizer());
        m.put("regularizerParams", s.regularizerParams());
        m.put("epochs", s.training().epochs());
        m.put("batchSize", s.training().batchSize());
        m.put("learningRate", s.training().learningRate());
        m.put("weightDecay", s.training().weightDecay());
        m.put("seed", s.training().seed());
        m.put("fragments", s.training().fragments());
        return m;
    }

    /**
     * @param result a finished run
     * @return its config.json content (the bound hyper-parameters, defaults included)
     */
    public static Map<String, Object> toJson(RunResult result) {
        RunSpec s = result.spec();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("dataset", s.dataset());
        m.put("datasetParams", result.datasetParams().toStringMap());
        m.put("model", s.model());
        m.put("modelParams", result.modelParams().toStringMap());
        m.put("regularizer", s.regularizer());
        m.put("regularizerParams", result.regularizerParams().toStringMap());
        m.put("epochs", s.training().epochs());
        m.put("batchSize", s.training().batchSize());
        m.put("learningRate", s.training().learningRate());
        m.put("weightDecay", s.training().weightDecay());
        m.put("seed", s.training().seed());
        m.put("fragments", s.training().fragments());
        m.put("device", result.device());
        return m;
    }
}
