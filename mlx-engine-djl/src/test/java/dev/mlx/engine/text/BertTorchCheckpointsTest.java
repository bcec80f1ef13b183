package dev.mlx.engine.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.mlx.api.error.MlxException;
import dev.mlx.api.train.OwnedArrays;
import dev.mlx.engine.testkit.SafetensorsFixture;
import dev.mlx.engine.testkit.SharedEngine;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A tiny BERT written by PyTorch 1.13.1 (vocab 40, hidden 8, 2 layers, 2 heads, FFN 32; made by
 * {@code src/test/resources/bert-tiny-torch/make_fixtures.py}, whose hand-written forward follows
 * HuggingFace's BertModel) is loaded from {@code pytorch_model.bin} and from the
 * {@code torch.jit.trace}d {@code traced_bert.pt}; our encoder must reproduce PyTorch's last hidden
 * states and pooler output for three token rows (one unpadded, two padded) within 1e-5, computing
 * in float32 (as training does) and in float64 (the reference's precision).
 */
class BertTorchCheckpointsTest {
    private static final String FIXTURES = "bert-tiny-torch/";
    private static final BertConfig TINY = new BertConfig(40, 8, 2, 2, 32, 16, 2, 1e-12);
    private static final double TOLERANCE = 1e-5;

    private static Path folder(Path dir, String... files) throws IOException {
        Files.createDirectories(dir);
        for (String name : files) {
            try (InputStream in = BertTorchCheckpointsTest.class.getClassLoader()
                    .getResourceAsStream(FIXTURES + name)) {
                if (in == null) {
                    throw new IOException("no test resource " + FIXTURES + name);
                }
                Files.copy(in, dir.resolve(name));
            }
        }
        return dir;
    }

    @Test
    void pytorchModelBinReproducesPyTorchsOutputs(@TempDir Path dir) throws IOException {
        Path f = folder(dir, "config.json", "pytorch_model.bin");
        assertEquals(f.resolve("pytorch_model.bin"), BertCheckpoints.hfWeightsFile(f));
        assertMatchesPyTorch(BertCheckpoints.load("hf:" + f, TINY));
    }

    @Test
    void theTracedTorchScriptModuleReproducesPyTorchsOutputs(@TempDir Path dir) throws IOException {
        Path f = folder(dir, "config.json", "traced_bert.pt");
        assertEquals(f.resolve("traced_bert.pt"), BertCheckpoints.hfWeightsFile(f));
        Map<String, WeightTensor> traced = BertCheckpoints.load("hf:" + f, TINY);
        assertMatchesPyTorch(traced);
        Map<String, WeightTensor> bin = BertTorchWeights.load(folder(dir.resolve("bin"), "pytorch_model.bin")
                .resolve("pytorch_model.bin"), TINY);
        assertEquals(bin, traced, "both files hold the same float32 values under the same names");
    }

    @Test
    void aTorchSaveArchiveNamedPtIsReadAsAStateDict(@TempDir Path dir) throws IOException {
        Path f = folder(dir, "pytorch_model.bin");
        Files.move(f.resolve("pytorch_model.bin"), f.resolve("weights.pt"));
        assertMatchesPyTorch(BertCheckpoints.load("hf:" + f, TINY));
    }

    @Test
    void safetensorsComesFirstThenPytorchModelBinThenTheTorchScriptFile(@TempDir Path dir) throws IOException {
        Path f = folder(dir, "config.json", "traced_bert.pt");
        assertEquals(f.resolve("traced_bert.pt"), BertCheckpoints.hfWeightsFile(f));
        folder(dir, "pytorch_model.bin");
        assertEquals(f.resolve("pytorch_model.bin"), BertCheckpoints.hfWeightsFile(f));
        Map<String, WeightTensor> bin = BertCheckpoints.load("hf:" + f, TINY);
        // a safetensors copy with one value changed shows which file was read
        SafetensorsFixture st = new SafetensorsFixture();
        for (WeightTensor w : bin.values()) {
            double[] v = new double[w.values().length];
            for (int i = 0; i < v.length; i++) {
                v[i] = w.values()[i];
            }
            if (w.name().equals("embeddings.LayerNorm.bias")) {
                v[0] = 42;
            }
            st.add("bert." + w.name(), "F32", w.shape(), v);
        }
        st.write(f.resolve("model.safetensors"));
        assertEquals(f.resolve("model.safetensors"), BertCheckpoints.hfWeightsFile(f));
        assertEquals(42f, BertCheckpoints.load("hf:" + f, TINY).get("embeddings.LayerNorm.bias").values()[0]);
    }

    @Test
    void aFolderWithoutWeightsOrWithTwoTorchScriptFilesIsRefusedByName(@TempDir Path dir) throws IOException {
        Path f = folder(dir, "config.json");
        MlxException none = assertThrows(MlxException.class, () -> BertCheckpoints.load("hf:" + f, TINY));
        assertTrue(none.getMessage().contains("has no weights file") && none.getMessage().contains("model.safetensors,"
                + " pytorch_model.bin (torch.save(state_dict)) or a TorchScript *.pt"), none.getMessage());
        folder(dir, "traced_bert.pt");
        Files.copy(f.resolve("traced_bert.pt"), f.resolve("other.pt"));
        MlxException two = assertThrows(MlxException.class, () -> BertCheckpoints.load("hf:" + f, TINY));
        assertTrue(two.getMessage().contains("2 *.pt files [other.pt, traced_bert.pt]"), two.getMessage());
    }

    @Test
    void aConfigThatDoesNotFitNamesTheTensorsInBothFormats(@TempDir Path dir) throws IOException {
        BertConfig narrowFfn = new BertConfig(40, 8, 2, 2, 16, 16, 2, 1e-12);
        BertConfig oneLayer = new BertConfig(40, 8, 1, 2, 32, 16, 2, 1e-12);
        for (String file : List.of("pytorch_model.bin", "traced_bert.pt")) {
            Path f = folder(dir.resolve(file + ".d"), file);
            MlxException shape = assertThrows(MlxException.class, () -> BertCheckpoints.load("hf:" + f, narrowFfn));
            assertTrue(shape.getMessage().contains("encoder.layer.0.intermediate.dense.weight [32, 8] (needs [16, 8])")
                    && shape.getMessage().contains(file), shape.getMessage());
            MlxException extra = assertThrows(MlxException.class, () -> BertCheckpoints.load("hf:" + f, oneLayer));
            assertTrue(extra.getMessage().contains("tensors that are not BERT encoder parameters [encoder.layer.1."),
                    extra.getMessage());
        }
    }

    @Test
    void aFileThatIsNotTorchScriptGetsAClearMessage(@TempDir Path dir) throws IOException {
        Path f = folder(dir, "config.json", "dtypes.bin");
        Files.writeString(f.resolve("model.pt"), "not a model", StandardCharsets.UTF_8);
        MlxException e = assertThrows(MlxException.class, () -> BertCheckpoints.load("hf:" + f, TINY));
        assertTrue(e.getMessage().contains("model.pt is not a torch.save file"), e.getMessage());
        Files.delete(f.resolve("model.pt"));
        Files.move(f.resolve("dtypes.bin"), f.resolve("pytorch_model.bin"));
        MlxException wrong = assertThrows(MlxException.class, () -> BertCheckpoints.load("hf:" + f, TINY));
        assertTrue(wrong.getMessage().contains("missing") && wrong.getMessage().contains("[half, bfloat16"),
                wrong.getMessage());
    }

    private static void assertMatchesPyTorch(Map<String, WeightTensor> weights) throws IOException {
        JsonObject ref;
        try (InputStream in = BertTorchCheckpointsTest.class.getClassLoader()
                .getResourceAsStream(FIXTURES + "reference.json")) {
            ref = JsonParser.parseString(new String(in.readAllBytes(), StandardCharsets.UTF_8)).getAsJsonObject();
        }
        double[] ids = flatten(ref.get("input_ids"));
        double[] mask = flatten(ref.get("attention_mask"));
        double[] hidden = flatten(ref.get("last_hidden_state"));
        double[] pooled = flatten(ref.get("pooler_output"));
        int rows = ref.getAsJsonArray("input_ids").size();
        int length = ids.length / rows;
        for (DataType type : List.of(DataType.FLOAT32, DataType.FLOAT64)) {
            try (NDManager m = SharedEngine.get().manager().newSubManager()) {
                BertEncoder encoder = BertEncoder.create(TINY, "", weights, m, 0, type);
                assertTrue(encoder.hasPooler());
                NDArray idArray = OwnedArrays.of(m, toFloats(ids), new Shape(rows, length), DataType.INT64);
                NDArray maskArray = OwnedArrays.of(m, toFloats(mask), new Shape(rows, length), type);
                NDArray h = encoder.encode(encoder.wordEmbeddings(idArray), maskArray);
                NDArray p = encoder.pool(h, maskArray, BertPooling.POOLER);
                assertClose(hidden, h.toType(DataType.FLOAT64, false).toDoubleArray(), "last_hidden_state " + type);
                assertClose(pooled, p.toType(DataType.FLOAT64, false).toDoubleArray(), "pooler_output " + type);
            }
        }
    }

    private static void assertClose(double[] want, double[] got, String what) {
        assertEquals(want.length, got.length, what);
        double worst = 0;
        for (int i = 0; i < want.length; i++) {
            worst = Math.max(worst, Math.abs(want[i] - got[i]));
        }
        assertTrue(worst < TOLERANCE, what + " differs from PyTorch by " + worst);
    }

    private static float[] toFloats(double[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = (float) v[i];
        }
        return f;
    }

    private static double[] flatten(JsonElement e) {
        List<Double> out = new ArrayList<>();
        collect(e, out);
        return out.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static void collect(JsonElement e, List<Double> out) {
        if (e.isJsonArray()) {
            for (JsonElement x : (JsonArray) e) {
                collect(x, out);
            }
        } else {
            out.add(e.getAsDouble());
        }
    }
}
