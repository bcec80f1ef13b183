package dev.mlx.text.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.mlx.api.data.DataSplit;
import dev.mlx.api.data.ExplanationDataset;
import dev.mlx.api.error.MlxException;
import dev.mlx.api.model.Architecture;
import dev.mlx.api.model.LayerSpec;
import dev.mlx.engine.testkit.SharedEngine;
import dev.mlx.engine.text.BertCheckpoints;
import dev.mlx.engine.text.BertConfig;
import dev.mlx.engine.text.BertEncoder;
import dev.mlx.engine.text.WeightTensor;
import dev.mlx.text.token.TextTokenizer;
import dev.mlx.text.token.TokenizedText;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code bert} model on a HuggingFace-format folder written from all-MiniLM-L6-v2's weights
 * (read from the ONNX file the {@code minilm} model uses): the same sentences must give the same
 * last hidden states through both loaders.
 */
class BertProviderTest {
    private static final String CONFIG = "{\"architectures\": [\"BertModel\"], \"model_type\": \"bert\","
            + " \"hidden_size\": 384, \"num_hidden_layers\": 6, \"num_attention_heads\": 12,"
            + " \"intermediate_size\": 1536, \"vocab_size\": 30522, \"max_position_embeddings\": 512,"
            + " \"type_vocab_size\": 2, \"layer_norm_eps\": 1e-12, \"hidden_act\": \"gelu\", \"pad_token_id\": 0}";
    private static final List<String> SENTENCES = List.of("This movie was wonderful, I loved every minute.",
            "A dull, lifeless plot and terrible acting.", "Spielberg");

    @TempDir
    static Path tmp;
    private static Path folder;
    private static Map<String, WeightTensor> miniLm;

    @BeforeAll
    static void writeFolder() throws IOException {
        miniLm = BertCheckpoints.load(MiniLmProvider.WEIGHTS, BertConfig.miniLmL6());
        folder = Files.createDirectories(tmp.resolve("minilm-hf"));
        Files.writeString(folder.resolve("config.json"), CONFIG);
        List<WeightTensor> tensors = new ArrayList<>();
        for (WeightTensor w : miniLm.values()) {
            tensors.add(new WeightTensor("bert." + w.name(), w.shape(), w.values()));
        }
        tensors.add(new WeightTensor("cls.predictions.bias", new long[] {30522}, new float[30522]));
        writeSafetensors(folder.resolve("model.safetensors"), tensors);
        copyTokenizer(folder.resolve("tokenizer.json"));
    }

    @Test
    void theFolderGivesTheSameHiddenStatesAsTheMiniLmModel() {
        BertProvider p = new BertProvider();
        Architecture a = p.build(p.parameters().bind("bert", Map.of("dir", folder.toString())), new int[] {32}, 2);
        LayerSpec.TextEncoder spec = (LayerSpec.TextEncoder) a.layers().get(0);
        assertEquals("cls", spec.pooling());
        assertEquals(new LayerSpec.Linear(384, 192), a.layers().get(1));
        BertConfig config = new BertConfig(spec.vocabSize(), spec.hidden(), spec.layers(), spec.heads(),
                spec.intermediate(), spec.maxPositions(), 2, 1e-12);
        assertEquals(BertConfig.miniLmL6(), config);
        Map<String, WeightTensor> fromFolder = BertCheckpoints.load(spec.weights(), config);
        int length = 16;
        long[] ids = new long[SENTENCES.size() * length];
        float[] mask = new float[ids.length];
        try (TextTokenizer tokenizer = TextTokenizer.miniLm()) {
            for (int i = 0; i < SENTENCES.size(); i++) {
                TokenizedText t = tokenizer.encode(SENTENCES.get(i), length);
                for (int j = 0; j < length; j++) {
                    ids[i * length + j] = t.ids()[j];
                    mask[i * length + j] = t.ids()[j] == TextTokenizer.PAD ? 0 : 1;
                }
            }
        }
        try (NDManager m = SharedEngine.get().manager().newSubManager()) {
            float[] want = hidden(config, miniLm, m, ids, mask, length);
            float[] got = hidden(config, fromFolder, m, ids, mask, length);
            double maxDiff = 0;
            double maxAbs = 0;
            for (int i = 0; i < want.length; i++) {
                maxDiff = Math.max(maxDiff, Math.abs(want[i] - got[i]));
                maxAbs = Math.max(maxAbs, Math.abs(want[i]));
            }
            assertTrue(maxAbs > 0.1, "hidden states are trivially small: " + maxAbs);
            assertTrue(maxDiff <= 1e-5, "max |bert - minilm| = " + maxDiff);
        }
    }

    @Test
    void aMissingFolderOrFileIsNamedWithHowToGetIt() throws IOException {
        MlxException noDir = assertThrows(MlxException.class, () -> build(tmp.resolve("nowhere")));
        assertTrue(noDir.getMessage().contains("does not exist") && noDir.getMessage().contains("huggingface-cli"),
                noDir.getMessage());
        Path partial = Files.createDirectories(tmp.resolve("partial"));
        Files.writeString(partial.resolve("config.json"), CONFIG);
        MlxException noWeights = assertThrows(MlxException.class, () -> build(partial));
        assertTrue(noWeights.getMessage().contains("has no weights file (model.safetensors, pytorch_model.bin or a"
                + " TorchScript *.pt)")
                && noWeights.getMessage().contains("huggingface-cli download bert-base-uncased"), noWeights.getMessage());
        Files.write(partial.resolve("model.safetensors"), new byte[0]);
        MlxException noTokenizer = assertThrows(MlxException.class, () -> build(partial));
        assertTrue(noTokenizer.getMessage().contains("has no tokenizer.json")
                && noTokenizer.getMessage().contains("vocab.txt alone is not supported"), noTokenizer.getMessage());
        MlxException noDirOption = assertThrows(MlxException.class,
                () -> new BertProvider().build(new BertProvider().parameters().defaults(), new int[] {32}, 2));
        assertTrue(noDirOption.getMessage().contains("dir="), noDirOption.getMessage());
    }

    @Test
    void pytorchModelBinOrATorchScriptFileAloneIsAcceptedAsWeights() throws IOException {
        for (String weights : List.of("pytorch_model.bin", "traced_bert.pt")) {
            Path dir = copyWith("only-" + weights, CONFIG);
            Files.write(dir.resolve(weights), new byte[0]);
            LayerSpec.TextEncoder spec = (LayerSpec.TextEncoder) build(dir).layers().get(0);
            assertEquals("hf:" + dir.toAbsolutePath(), spec.weights());
            assertEquals(384, spec.hidden());
        }
    }

    @Test
    void aMissingTensorIsNamed() throws IOException {
        Path broken = copyWith("missing", CONFIG);
        List<WeightTensor> fewer = new ArrayList<>(miniLm.values());
        fewer.removeIf(w -> w.name().equals("encoder.layer.2.attention.self.key.bias"));
        writeSafetensors(broken.resolve("model.safetensors"), fewer);
        MlxException e = assertThrows(MlxException.class, () -> loadWeights(broken));
        assertTrue(e.getMessage().contains("1 tensor missing [encoder.layer.2.attention.self.key.bias]"), e.getMessage());
    }

    @Test
    void aWrongShapeIsNamed() throws IOException {
        Path broken = copyWith("shape", CONFIG.replace("\"intermediate_size\": 1536", "\"intermediate_size\": 1024"));
        writeSafetensors(broken.resolve("model.safetensors"), new ArrayList<>(miniLm.values()));
        MlxException e = assertThrows(MlxException.class, () -> loadWeights(broken));
        assertTrue(e.getMessage().contains("encoder.layer.0.intermediate.dense.weight [1536, 384] (needs [1024, 384])"),
                e.getMessage());
        assertTrue(e.getMessage().contains("18 tensors with the wrong shape"), e.getMessage());
    }

    @Test
    void unsupportedSettingsAreRefusedByName() throws IOException {
        for (String[] c : new String[][] {{"\"gelu\"", "\"relu\"", "hidden_act is relu"},
                {"\"type_vocab_size\": 2", "\"type_vocab_size\": 1", "type_vocab_size is 1"},
                {"\"layer_norm_eps\": 1e-12", "\"layer_norm_eps\": 1e-5", "layer_norm_eps is 1.0E-5"},
                {"\"hidden_size\": 384, ", "", "has no hidden_size"}}) {
            Path dir = copyWith("setting-" + c[2].hashCode(), CONFIG.replace(c[0], c[1]));
            Files.write(dir.resolve("model.safetensors"), new byte[0]);
            MlxException e = assertThrows(MlxException.class, () -> build(dir));
            assertTrue(e.getMessage().contains(c[2]), e.getMessage());
        }
    }

    /** A two-example text dataset whose token ids came from a tokenizer with this fingerprint. */
    private static ExplanationDataset tokenisedWith(String fingerprint) {
        DataSplit split = new DataSplit("t", new int[] {4}, new float[] {101, 1996, 102, 0, 101, 2172, 102, 0},
                new float[8], new int[] {0, 1}, new int[] {0, 1}, 2, 2);
        return new ExplanationDataset("tiny-text", split, split, "none",
                Map.of(ExplanationDataset.TOKENIZER, fingerprint));
    }

    @Test
    void aCheckpointWithItsOwnVocabularyTakesDatasetsTokenisedWithItAndRefusesOthers() throws IOException {
        Path dir = copyWith("cased", CONFIG);
        Files.write(dir.resolve("model.safetensors"), new byte[0]);
        String json = Files.readString(dir.resolve("tokenizer.json")).replaceFirst("\"the\":", "\"The\":");
        Files.writeString(dir.resolve("tokenizer.json"), json);
        build(dir);
        BertProvider bert = new BertProvider();
        var params = bert.parameters().bind("bert", Map.of("dir", dir.toString()));
        String own;
        try (TextTokenizer t = TextTokenizer.forDataset(dir.toString())) {
            own = t.fingerprint();
        }
        bert.checkInputs(params, tokenisedWith(own));
        MlxException e = assertThrows(MlxException.class,
                () -> bert.checkInputs(params, tokenisedWith(TextTokenizer.miniLmFingerprint())));
        assertTrue(e.getMessage().contains("another vocabulary") && e.getMessage().contains("--dataset-param tokenizer="
                + dir.toAbsolutePath()), e.getMessage());
        MiniLmProvider miniLm = new MiniLmProvider();
        var miniLmParams = miniLm.parameters().defaults();
        miniLm.checkInputs(miniLmParams, tokenisedWith(TextTokenizer.miniLmFingerprint()));
        MlxException m = assertThrows(MlxException.class, () -> miniLm.checkInputs(miniLmParams, tokenisedWith(own)));
        assertTrue(m.getMessage().contains("drop its tokenizer= parameter"), m.getMessage());
    }

    @Test
    void aTokenizerThatDoesNotFitTheCheckpointIsRefusedByName() throws IOException {
        Path small = copyWith("small-vocab", CONFIG.replace("\"vocab_size\": 30522", "\"vocab_size\": 30000"));
        Files.write(small.resolve("model.safetensors"), new byte[0]);
        MlxException e = assertThrows(MlxException.class, () -> build(small));
        assertTrue(e.getMessage().contains("vocab_size is 30000") && e.getMessage().contains("token id 30521"),
                e.getMessage());
        Path pad = copyWith("pad", CONFIG);
        Files.write(pad.resolve("model.safetensors"), new byte[0]);
        Files.writeString(pad.resolve("tokenizer.json"), Files.readString(pad.resolve("tokenizer.json"))
                .replaceFirst("\"\\[PAD\\]\": 0", "\"[PAD]\": 7"));
        MlxException p = assertThrows(MlxException.class, () -> build(pad));
        assertTrue(p.getMessage().contains("maps [PAD] to 7"), p.getMessage());
        MlxException none = assertThrows(MlxException.class, () -> TextTokenizer.forDataset(tmp.resolve("nowhere")
                .toString()));
        assertTrue(none.getMessage().contains("no tokenizer at"), none.getMessage());
    }

    private static Architecture build(Path dir) {
        BertProvider p = new BertProvider();
        return p.build(p.parameters().bind("bert", Map.of("dir", dir.toString())), new int[] {32}, 2);
    }

    private static Map<String, WeightTensor> loadWeights(Path dir) {
        LayerSpec.TextEncoder s = (LayerSpec.TextEncoder) build(dir).layers().get(0);
        return BertCheckpoints.load(s.weights(), new BertConfig(s.vocabSize(), s.hidden(), s.layers(), s.heads(),
                s.intermediate(), s.maxPositions(), 2, 1e-12));
    }

    private static Path copyWith(String name, String config) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve(name));
        Files.writeString(dir.resolve("config.json"), config);
        copyTokenizer(dir.resolve("tokenizer.json"));
        return dir;
    }

    private static float[] hidden(BertConfig config, Map<String, WeightTensor> weights, NDManager m, long[] ids,
            float[] mask, int length) {
        try (NDManager scope = m.newSubManager()) {
            BertEncoder encoder = BertEncoder.create(config, "", weights, scope, 0, DataType.FLOAT32);
            NDArray idArray = scope.create(ids, new Shape(ids.length / length, length));
            NDArray attention = scope.create(mask, new Shape(ids.length / length, length));
            return encoder.encode(encoder.wordEmbeddings(idArray), attention).toFloatArray();
        }
    }

    private static void copyTokenizer(Path target) throws IOException {
        try (InputStream in = BertProviderTest.class.getClassLoader().getResourceAsStream(TextTokenizer.MINILM_RESOURCE)) {
            Files.copy(in, target);
        }
    }

    /** Writes F32 tensors as a safetensors file: 8-byte little-endian header length, JSON header, data. */
    static void writeSafetensors(Path file, List<WeightTensor> tensors) throws IOException {
        StringBuilder json = new StringBuilder("{\"__metadata__\":{\"format\":\"pt\"}");
        long offset = 0;
        for (WeightTensor t : tensors) {
            long end = offset + 4L * t.values().length;
            json.append(",\"").append(t.name()).append("\":{\"dtype\":\"F32\",\"shape\":[");
            long[] shape = t.shape();
            for (int i = 0; i < shape.length; i++) {
                json.append(i == 0 ? "" : ",").append(shape[i]);
            }
            json.append("],\"data_offsets\":[").append(offset).append(',').append(end).append("]}");
            offset = end;
        }
        json.append('}');
        while (json.length() % 8 != 0) {
            json.append(' ');
        }
        byte[] header = json.toString().getBytes(StandardCharsets.UTF_8);
        try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
            out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length).array());
            out.write(header);
            for (WeightTensor t : tensors) {
                ByteBuffer b = ByteBuffer.allocate(4 * t.values().length).order(ByteOrder.LITTLE_ENDIAN);
                b.asFloatBuffer().put(t.values());
                out.write(b.array());
            }
        }
    }
}
