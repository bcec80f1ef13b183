package dev.mlx.engine.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mlx.api.error.MlxException;
import dev.mlx.engine.safetensors.SafetensorsDType;
import dev.mlx.engine.safetensors.SafetensorsTensor;
import dev.mlx.engine.testkit.SafetensorsFixture;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BertSafetensorsWeightsTest {
    private static final BertConfig TINY = new BertConfig(10, 4, 2, 2, 8, 6, 2, 1e-12);

    /** Every encoder tensor of {@link #TINY} under {@code prefix}, filled with its running index. */
    private static Map<String, SafetensorsTensor> checkpoint(String prefix) {
        Map<String, SafetensorsTensor> t = new LinkedHashMap<>();
        float next = 0;
        for (Map.Entry<String, long[]> e : BertParameters.shapes(TINY).entrySet()) {
            float[] v = new float[Math.toIntExact(java.util.Arrays.stream(e.getValue()).reduce(1, (a, b) -> a * b))];
            for (int i = 0; i < v.length; i++) {
                v[i] = next++;
            }
            t.put(prefix + e.getKey(), new SafetensorsTensor(prefix + e.getKey(), SafetensorsDType.F32, e.getValue(), v));
        }
        return t;
    }

    @Test
    void namesWithAndWithoutTheBertPrefixMapToTheSameValues() {
        Map<String, WeightTensor> plain = BertSafetensorsWeights.map(checkpoint(""), TINY, "plain");
        Map<String, WeightTensor> prefixed = BertSafetensorsWeights.map(checkpoint("bert."), TINY, "prefixed");
        assertEquals(BertParameters.names(TINY), java.util.List.copyOf(plain.keySet()));
        assertEquals(plain, prefixed);
    }

    @Test
    void preTrainingHeadsAndPositionIdsAreSkippedAndLegacyLayerNormNamesRenamed() {
        Map<String, SafetensorsTensor> t = checkpoint("bert.");
        SafetensorsTensor gamma = t.remove("bert.embeddings.LayerNorm.weight");
        t.put("bert.embeddings.LayerNorm.gamma", new SafetensorsTensor("bert.embeddings.LayerNorm.gamma",
                SafetensorsDType.F32, gamma.shape(), gamma.values()));
        t.put("cls.predictions.bias", new SafetensorsTensor("cls.predictions.bias", SafetensorsDType.F32,
                new long[] {10}, new float[10]));
        t.put("bert.embeddings.position_ids", new SafetensorsTensor("bert.embeddings.position_ids",
                SafetensorsDType.I64, new long[] {1, 6}, new float[] {0, 1, 2, 3, 4, 5}));
        t.put("bert.pooler.dense.weight", new SafetensorsTensor("bert.pooler.dense.weight", SafetensorsDType.F32,
                new long[] {4, 4}, new float[16]));
        t.put("bert.pooler.dense.bias", new SafetensorsTensor("bert.pooler.dense.bias", SafetensorsDType.F32,
                new long[] {4}, new float[4]));
        Map<String, WeightTensor> w = BertSafetensorsWeights.map(t, TINY, "heads");
        assertArrayEquals(gamma.values(), w.get("embeddings.LayerNorm.weight").values());
        assertTrue(w.containsKey(BertParameters.POOLER_WEIGHT));
        assertFalse(w.keySet().stream().anyMatch(k -> k.startsWith("cls") || k.contains("position_ids")));
        assertEquals(BertParameters.names(TINY).size() + 2, w.size());
    }

    @Test
    void oneErrorNamesEveryMissingAndMisShapedTensor() {
        Map<String, SafetensorsTensor> t = checkpoint("bert.");
        t.remove("bert.encoder.layer.1.output.LayerNorm.bias");
        t.remove("bert.embeddings.token_type_embeddings.weight");
        t.put("bert.encoder.layer.0.intermediate.dense.weight", new SafetensorsTensor(
                "bert.encoder.layer.0.intermediate.dense.weight", SafetensorsDType.F32, new long[] {4, 8}, new float[32]));
        t.put("bert.classifier.weight", new SafetensorsTensor("bert.classifier.weight", SafetensorsDType.F32,
                new long[] {2, 4}, new float[8]));
        MlxException e = assertThrows(MlxException.class, () -> BertSafetensorsWeights.map(t, TINY, "ckpt"));
        String m = e.getMessage();
        assertTrue(m.contains("2 tensors missing [embeddings.token_type_embeddings.weight,"
                + " encoder.layer.1.output.LayerNorm.bias]"), m);
        assertTrue(m.contains("bert.encoder.layer.0.intermediate.dense.weight [4, 8] (needs [8, 4])"), m);
        assertTrue(m.contains("bert.classifier.weight"), m);
    }

    @Test
    void aHalfPoolerIsRefused() {
        Map<String, SafetensorsTensor> t = checkpoint("");
        t.put("pooler.dense.bias", new SafetensorsTensor("pooler.dense.bias", SafetensorsDType.F32, new long[] {4},
                new float[4]));
        MlxException e = assertThrows(MlxException.class, () -> BertSafetensorsWeights.map(t, TINY, "ckpt"));
        assertTrue(e.getMessage().contains("pooler.dense.weight"), e.getMessage());
    }

    @Test
    void theHfSchemeReadsModelSafetensorsOfTheFolder(@TempDir Path dir) throws Exception {
        SafetensorsFixture f = new SafetensorsFixture();
        for (SafetensorsTensor t : checkpoint("bert.").values()) {
            double[] v = new double[t.values().length];
            for (int i = 0; i < v.length; i++) {
                v[i] = t.values()[i];
            }
            f.add(t.name(), "F32", t.shape(), v);
        }
        f.write(dir.resolve("model.safetensors"));
        Map<String, WeightTensor> w = BertCheckpoints.load("hf:" + dir, TINY);
        assertEquals(BertSafetensorsWeights.map(checkpoint(""), TINY, "x"), w);
        MlxException e = assertThrows(MlxException.class,
                () -> BertCheckpoints.load("hf:" + dir.resolve("nowhere"), TINY));
        assertTrue(e.getMessage().contains("model.safetensors"), e.getMessage());
    }
}
