package dev.mlx.engine.text;

import dev.mlx.api.error.MlxException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Maps the initializers of a BERT exported to ONNX by {@code torch.onnx.export} onto HuggingFace
 * parameter names and layout.
 *
 * <p>The exporter keeps the HuggingFace names of embeddings, biases and LayerNorm tensors but
 * renames every Linear weight to an anonymous {@code onnx::MatMul_N}, stored transposed
 * ({@code [in, out]}). The name is recovered from the {@code MatMul} node that consumes it:
 * {@code /encoder/layer.0/attention/self/query/MatMul} gives
 * {@code encoder.layer.0.attention.self.query.weight}, which is returned transposed to
 * {@code [out, in]}. Weights consumed by {@code Gemm} keep their name and layout. The buffer
 * {@code embeddings.position_ids} is checked to be {@code 0, 1, 2, ...} and dropped.
 *
 * <p>Every initializer must map to a parameter of {@link BertParameters} and every parameter must
 * be present with the configured shape; anything else is an {@link MlxException} listing the
 * offending names.
 */
public final class BertOnnxWeights {
    private static final Pattern MATMUL_NODE = Pattern.compile("^/(.+)/MatMul$");
    private static final Pattern LAYER_INDEX = Pattern.compile("^encoder\\.layer\\.(\\d+)\\.");
    private static final String POSITION_IDS = "embeddings.position_ids";

    private BertOnnxWeights() {}

    /**
     * Infers the sizes from the tensor shapes (the number of heads is not stored in the weights).
     *
     * @param graph the ONNX graph
     * @param heads the number of attention heads
     * @param source a name for messages
     * @return the configuration
     */
    public static BertConfig inferConfig(OnnxGraph graph, int heads, String source) {
        Map<String, OnnxTensor> t = graph.initializers();
        OnnxTensor words = require(t, "embeddings.word_embeddings.weight", source);
        OnnxTensor positions = require(t, "embeddings.position_embeddings.weight", source);
        OnnxTensor types = require(t, "embeddings.token_type_embeddings.weight", source);
        OnnxTensor intermediate = require(t, "encoder.layer.0.intermediate.dense.bias", source);
        int layers = 0;
        for (String name : t.keySet()) {
            Matcher m = LAYER_INDEX.matcher(name);
            if (m.find()) {
                layers = Math.max(layers, Integer.parseInt(m.group(1)) + 1);
            }
        }
        long[] w = words.dims();
        return new BertConfig(Math.toIntExact(w[0]), Math.toIntExact(w[1]), layers, heads,
                Math.toIntExact(intermediate.dims()[0]), Math.toIntExact(positions.dims()[0]),
                Math.toIntExact(types.dims()[0]), 1e-12);
    }

    /**
     * @param graph the ONNX graph
     * @param config the expected sizes
     * @param source a name for messages
     * @return every parameter of {@link BertParameters#names(BertConfig)} in HuggingFace layout
     * @throws MlxException if an initializer is left unmapped, a parameter is missing or a shape differs
     */
    public static Map<String, WeightTensor> map(OnnxGraph graph, BertConfig config, String source) {
        Map<String, String> consumer = new HashMap<>();
        for (OnnxNode node : graph.nodes()) {
            if (node.opType().equals("MatMul") && node.inputs().size() == 2) {
                Matcher m = MATMUL_NODE.matcher(node.name());
                if (m.matches()) {
                    consumer.put(node.inputs().get(1), m.group(1).replace('/', '.') + ".weight");
                }
            }
        }
        Map<String, long[]> expected = BertParameters.shapesWithPooler(config);
        Map<String, WeightTensor> mapped = new LinkedHashMap<>();
        List<String> unmapped = new ArrayList<>();
        for (OnnxTensor tensor : graph.initializers().values()) {
            if (tensor.name().equals(POSITION_IDS)) {
                checkPositionIds(tensor, source);
                continue;
            }
            String hfName = consumer.get(tensor.name());
            boolean transposed = hfName != null;
            if (hfName == null) {
                hfName = tensor.name();
            }
            if (!expected.containsKey(hfName) || tensor.dataType() != OnnxTensor.FLOAT) {
                unmapped.add(tensor.name() + (transposed ? " (as " + hfName + ")" : ""));
                continue;
            }
            WeightTensor w = transposed ? transpose(hfName, tensor) : new WeightTensor(hfName, tensor.dims(), tensor.floats());
            if (mapped.put(hfName, w) != null) {
                throw MlxException.userError(source + ": two initializers map to " + hfName
                        + "; the ONNX graph is not a plain BERT export");
            }
        }
        if (!unmapped.isEmpty()) {
            throw MlxException.userError(source + ": " + unmapped.size() + " ONNX initializers do not map to a BERT"
                    + " parameter of " + config + ": " + unmapped + "; the model is not a BERT encoder of these sizes");
        }
        return BertParameters.checkComplete(mapped, config, source);
    }

    private static WeightTensor transpose(String name, OnnxTensor tensor) {
        long[] d = tensor.dims();
        if (d.length != 2) {
            throw MlxException.userError("ONNX MatMul weight " + tensor.name() + " for " + name + " has shape "
                    + java.util.Arrays.toString(d) + "; a Linear weight must be 2-D");
        }
        int rows = Math.toIntExact(d[0]);
        int cols = Math.toIntExact(d[1]);
        float[] in = tensor.floats();
        float[] out = new float[in.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                out[c * rows + r] = in[r * cols + c];
            }
        }
        return new WeightTensor(name, new long[] {cols, rows}, out);
    }

    private static void checkPositionIds(OnnxTensor tensor, String source) {
        long[] ids = tensor.longs();
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] != i) {
                throw MlxException.userError(source + ": embeddings.position_ids[" + i + "] is " + ids[i]
                        + " where " + i + " was expected; positions must be 0, 1, 2, ...");
            }
        }
    }

    private static OnnxTensor require(Map<String, OnnxTensor> t, String name, String source) {
        OnnxTensor tensor = t.get(name);
        if (tensor == null) {
            throw MlxException.userError(source + " has no initializer " + name + "; it is not a BERT encoder exported"
                    + " from HuggingFace transformers");
        }
        return tensor;
    }
}
