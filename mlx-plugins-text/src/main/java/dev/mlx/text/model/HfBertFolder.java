package dev.mlx.text.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlx.api.error.MlxException;
import dev.mlx.text.token.TextTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A local HuggingFace BERT checkpoint folder ({@code config.json}, {@code tokenizer.json} and the
 * weights), as {@code huggingface-cli download} leaves it. The weights are the first present of
 * {@code model.safetensors}, {@code pytorch_model.bin} ({@code torch.save} zip format) and one
 * TorchScript {@code *.pt} ({@code torch.jit.trace}); the engine reads them and logs which.
 *
 * <p>{@code config.json} gives the sizes; mlx's BERT computes {@code GELU(x) = x Phi(x)} with
 * {@code erf}, absolute position embeddings, two token types and LayerNorm epsilon {@code 1e-12},
 * so a {@code hidden_act} other than {@code gelu}, another {@code position_embedding_type},
 * {@code type_vocab_size != 2} or {@code layer_norm_eps != 1e-12} is refused by name rather than
 * computed differently from the checkpoint's training.
 *
 * <p>The folder's {@code tokenizer.json} must be a BERT WordPiece tokenizer whose ids all fit in
 * {@code vocab_size}. The text datasets tokenise with the bundled bert-base-uncased tokenizer unless
 * their {@code tokenizer=} parameter names this folder; {@link BertProvider#checkInputs} refuses a
 * dataset whose tokenizer fingerprint ({@link TextTokenizer#fingerprintOf}) is not this folder's.
 */
final class HfBertFolder {
    static final String CONFIG = "config.json";
    static final String TOKENIZER = "tokenizer.json";
    /** The preferred weights file; the engine reads it for the weights string {@code hf:<folder>}. */
    static final String WEIGHTS = "model.safetensors";
    /** The {@code torch.save} weights file, read when there is no {@link #WEIGHTS}. */
    static final String TORCH_WEIGHTS = "pytorch_model.bin";
    /** The extension of a TorchScript weights file, read when there is neither of the above. */
    static final String TORCHSCRIPT_EXTENSION = ".pt";
    /** The engine's weights-string prefix of a HuggingFace folder. */
    static final String SCHEME = "hf:";
    private static final ObjectMapper JSON = new ObjectMapper();

    private HfBertFolder() {}

    /**
     * The sizes read from {@code config.json} (token types 2 and LayerNorm epsilon 1e-12 are checked).
     *
     * @param vocabSize {@code vocab_size}
     * @param hidden {@code hidden_size}
     * @param layers {@code num_hidden_layers}
     * @param heads {@code num_attention_heads}
     * @param intermediate {@code intermediate_size}
     * @param maxPositions {@code max_position_embeddings}
     */
    record Sizes(int vocabSize, int hidden, int layers, int heads, int intermediate, int maxPositions) {}

    /**
     * Checks the folder and reads its sizes.
     *
     * @param dir the folder
     * @return the encoder's sizes
     * @throws MlxException naming the missing file, field or unsupported setting
     */
    static Sizes open(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw MlxException.userError("the BERT checkpoint folder " + dir.toAbsolutePath() + " does not exist; "
                    + howToGet(dir));
        }
        if (!Files.isRegularFile(dir.resolve(CONFIG))) {
            throw MlxException.userError(dir.toAbsolutePath() + " has no " + CONFIG + "; " + howToGet(dir));
        }
        if (!hasWeights(dir)) {
            throw MlxException.userError(dir.toAbsolutePath() + " has no weights file (" + WEIGHTS + ", "
                    + TORCH_WEIGHTS + " or a TorchScript *" + TORCHSCRIPT_EXTENSION + "); " + howToGet(dir));
        }
        if (!Files.isRegularFile(dir.resolve(TOKENIZER))) {
            throw MlxException.userError(dir.toAbsolutePath() + " has no " + TOKENIZER + "; put the model's HuggingFace"
                    + " tokenizer.json there (a vocab.txt alone is not supported); " + howToGet(dir));
        }
        Sizes config = config(dir.resolve(CONFIG));
        int maxId = maxTokenId(dir.resolve(TOKENIZER));
        if (maxId >= config.vocabSize()) {
            throw MlxException.userError(dir.resolve(CONFIG) + ": vocab_size is " + config.vocabSize() + " but "
                    + TOKENIZER + " has token id " + maxId + "; the tokenizer does not belong to this checkpoint");
        }
        return config;
    }

    private static boolean hasWeights(Path dir) {
        if (Files.isRegularFile(dir.resolve(WEIGHTS)) || Files.isRegularFile(dir.resolve(TORCH_WEIGHTS))) {
            return true;
        }
        try (java.util.stream.Stream<Path> files = Files.list(dir)) {
            return files.anyMatch(f -> f.getFileName().toString().endsWith(TORCHSCRIPT_EXTENSION)
                    && Files.isRegularFile(f));
        } catch (IOException e) {
            throw MlxException.userError("cannot list " + dir + ": " + e.getMessage(), e);
        }
    }

    static String howToGet(Path dir) {
        return "on a machine with internet run `huggingface-cli download bert-base-uncased config.json"
                + " model.safetensors tokenizer.json --local-dir " + dir + "` and copy the folder here";
    }

    static Sizes config(Path file) {
        JsonNode c = read(file);
        String modelType = c.path("model_type").asText("bert");
        if (!modelType.equals("bert")) {
            throw MlxException.userError(file + ": model_type is " + modelType + "; the bert model reads BERT"
                    + " checkpoints (model_type bert) only");
        }
        String act = c.path("hidden_act").asText("gelu");
        if (!act.equals("gelu")) {
            throw MlxException.userError(file + ": hidden_act is " + act + "; mlx's BERT computes the erf GELU"
                    + " (hidden_act gelu) only, so this checkpoint is not supported");
        }
        String positions = c.path("position_embedding_type").asText("absolute");
        if (!positions.equals("absolute")) {
            throw MlxException.userError(file + ": position_embedding_type is " + positions + "; only absolute"
                    + " position embeddings are supported");
        }
        int types = integer(c, "type_vocab_size", file);
        if (types != 2) {
            throw MlxException.userError(file + ": type_vocab_size is " + types + "; mlx's text encoder uses BERT's"
                    + " 2 token types only");
        }
        JsonNode eps = required(c, "layer_norm_eps", file);
        if (!eps.isNumber() || (float) eps.asDouble() != 1e-12f) {
            throw MlxException.userError(file + ": layer_norm_eps is " + eps + "; mlx's text encoder uses BERT's"
                    + " 1e-12 only");
        }
        Sizes s = new Sizes(positive(c, "vocab_size", file), positive(c, "hidden_size", file),
                positive(c, "num_hidden_layers", file), positive(c, "num_attention_heads", file),
                positive(c, "intermediate_size", file), positive(c, "max_position_embeddings", file));
        if (s.hidden() % s.heads() != 0) {
            throw MlxException.userError(file + ": hidden_size " + s.hidden() + " is not a multiple of"
                    + " num_attention_heads " + s.heads());
        }
        return s;
    }

    /**
     * @param file the folder's {@code tokenizer.json}
     * @return its fingerprint ({@link TextTokenizer#fingerprintOf})
     * @throws MlxException (user error) if it is not a BERT WordPiece tokenizer
     */
    static String tokenizerFingerprint(Path file) {
        try {
            return TextTokenizer.fingerprintOf(Files.readAllBytes(file), file.toString());
        } catch (IOException e) {
            throw MlxException.userError("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** @return the largest id of the tokenizer's vocabulary and added tokens, after checking it is BERT's kind */
    private static int maxTokenId(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw MlxException.userError("cannot read " + file + ": " + e.getMessage(), e);
        }
        TextTokenizer.fingerprintOf(bytes, file.toString()); // refuses what is not a BERT WordPiece tokenizer
        JsonNode t;
        try {
            t = JSON.readTree(bytes);
        } catch (IOException e) {
            throw MlxException.userError("cannot read " + file + ": " + e.getMessage(), e);
        }
        int max = -1;
        for (JsonNode id : t.at("/model/vocab")) {
            max = Math.max(max, id.asInt());
        }
        for (JsonNode added : t.path("added_tokens")) {
            max = Math.max(max, added.path("id").asInt(-1));
        }
        return max;
    }

    private static JsonNode read(Path file) {
        try {
            JsonNode node = JSON.readTree(file.toFile());
            if (node == null || !node.isObject()) {
                throw MlxException.userError(file + " is not a JSON object");
            }
            return node;
        } catch (IOException e) {
            throw MlxException.userError("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static JsonNode required(JsonNode c, String field, Path file) {
        JsonNode v = c.get(field);
        if (v == null || v.isNull()) {
            throw MlxException.userError(file + " has no " + field + "; it is not a HuggingFace BERT config.json");
        }
        return v;
    }

    private static int positive(JsonNode c, String field, Path file) {
        int v = integer(c, field, file);
        if (v < 1) {
            throw MlxException.userError(file + ": " + field + " is " + v + "; it must be positive");
        }
        return v;
    }

    private static int integer(JsonNode c, String field, Path file) {
        JsonNode v = required(c, field, file);
        if (!v.canConvertToInt() || !v.isIntegralNumber()) {
            throw MlxException.userError(file + ": " + field + " is " + v + "; it must be an integer");
        }
        return v.asInt();
    }
}
