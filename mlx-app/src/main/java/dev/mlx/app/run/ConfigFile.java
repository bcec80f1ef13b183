package dev.mlx.app.run;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlx.api.error.MlxException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The JSON form of a run's settings, as written to {@code config.json} and accepted by
 * {@code mlx train --config}. Unknown keys and wrong types are rejected with the key named.
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
 */
public record ConfigFile(String dataset, Map<String, String> datasetParams, String model,
        Map<String, String> modelParams, String regularizer, Map<String, String> regularizerParams, Integer epochs,
        Integer batchSize, Double learningRate, Double weightDecay, Long seed, Integer fragments) {

    private static final ObjectMapper STRICT =
            new ObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                    .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

    /**
     * @param file a JSON config file
     * @return its settings (absent keys are {@code null})
     * @throws MlxException (user error) naming the file and the problem
     */
    public static ConfigFile read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw MlxException.userError("config file " + file + " does not exist");
        }
        try {
            return STRICT.readValue(file.toFile(), ConfigFile.class);
        } catch (JsonProcessingException e) {
            throw MlxException.userError("config file " + file + " is malformed: " + e.getOriginalMessage()
                    + " (line " + (e.getLocation() == null ? "?" : e.getLocation().getLineNr()) + "). Allowed keys:"
                    + " dataset, datasetParams, model, modelParams, regularizer, regularizerParams, epochs, batchSize,"
                    + " learningRate, weightDecay, seed, fragments", e);
        } catch (IOException e) {
            throw MlxException.userError("cannot read config file " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * @param result a finished run
     * @return its settings as a JSON-ready map, readable by {@link #read}
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
        return m;
    }
}
