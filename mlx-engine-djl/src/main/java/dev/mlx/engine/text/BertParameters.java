package dev.mlx.engine.text;

import dev.mlx.api.error.MlxException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The parameter names and shapes of a BERT encoder in HuggingFace naming and layout (Linear
 * weights {@code [out, in]}): the embeddings, per layer the self-attention (query, key, value,
 * output dense), its LayerNorm, the feed-forward pair and its LayerNorm. The pooler is optional.
 */
public final class BertParameters {
    /** The optional pooler weight, {@code [H, H]}. */
    public static final String POOLER_WEIGHT = "pooler.dense.weight";
    /** The optional pooler bias, {@code [H]}. */
    public static final String POOLER_BIAS = "pooler.dense.bias";

    private BertParameters() {}

    /**
     * @param config the sizes
     * @return every required parameter name with its shape, in a fixed order (embeddings, then layer by layer)
     */
    public static Map<String, long[]> shapes(BertConfig config) {
        long h = config.hidden();
        Map<String, long[]> s = new LinkedHashMap<>();
        s.put("embeddings.word_embeddings.weight", new long[] {config.vocabSize(), h});
        s.put("embeddings.position_embeddings.weight", new long[] {config.maxPositions(), h});
        s.put("embeddings.token_type_embeddings.weight", new long[] {config.typeVocabSize(), h});
        s.put("embeddings.LayerNorm.weight", new long[] {h});
        s.put("embeddings.LayerNorm.bias", new long[] {h});
        for (int i = 0; i < config.layers(); i++) {
            String p = "encoder.layer." + i + ".";
            for (String name : List.of("attention.self.query", "attention.self.key", "attention.self.value",
                    "attention.output.dense")) {
                s.put(p + name + ".weight", new long[] {h, h});
                s.put(p + name + ".bias", new long[] {h});
            }
            s.put(p + "attention.output.LayerNorm.weight", new long[] {h});
            s.put(p + "attention.output.LayerNorm.bias", new long[] {h});
            s.put(p + "intermediate.dense.weight", new long[] {config.intermediate(), h});
            s.put(p + "intermediate.dense.bias", new long[] {config.intermediate()});
            s.put(p + "output.dense.weight", new long[] {h, config.intermediate()});
            s.put(p + "output.dense.bias", new long[] {h});
            s.put(p + "output.LayerNorm.weight", new long[] {h});
            s.put(p + "output.LayerNorm.bias", new long[] {h});
        }
        return s;
    }

    /**
     * @param config the sizes
     * @return {@link #shapes} plus the optional pooler
     */
    public static Map<String, long[]> shapesWithPooler(BertConfig config) {
        Map<String, long[]> s = shapes(config);
        s.put(POOLER_WEIGHT, new long[] {config.hidden(), config.hidden()});
        s.put(POOLER_BIAS, new long[] {config.hidden()});
        return s;
    }

    /** @return the names of {@link #shapes} */
    public static List<String> names(BertConfig config) {
        return new ArrayList<>(shapes(config).keySet());
    }

    /**
     * Checks that {@code tensors} holds every required parameter with its shape, and nothing but
     * those and the optional pooler.
     *
     * @return {@code tensors}
     * @throws MlxException listing missing, unexpected or mis-shaped tensors
     */
    static Map<String, WeightTensor> checkComplete(Map<String, WeightTensor> tensors, BertConfig config, String source) {
        Map<String, long[]> expected = shapesWithPooler(config);
        List<String> missing = new ArrayList<>();
        for (String name : expected.keySet()) {
            if (!tensors.containsKey(name) && !name.startsWith("pooler.")) {
                missing.add(name);
            }
        }
        if (!missing.isEmpty()) {
            throw MlxException.userError(source + " lacks " + missing.size() + " parameters of " + config + ": "
                    + (missing.size() > 8 ? missing.subList(0, 8) + " ..." : missing)
                    + "; the checkpoint does not match the configuration");
        }
        if (tensors.containsKey(POOLER_WEIGHT) != tensors.containsKey(POOLER_BIAS)) {
            throw MlxException.userError(source + " has only one of " + POOLER_WEIGHT + " and " + POOLER_BIAS);
        }
        for (WeightTensor t : tensors.values()) {
            long[] want = expected.get(t.name());
            if (want == null) {
                throw MlxException.userError(source + ": unexpected tensor " + t.name() + " for " + config);
            }
            if (!Arrays.equals(want, t.shape())) {
                throw MlxException.userError(source + ": " + t.name() + " has shape " + Arrays.toString(t.shape())
                        + " but " + config + " needs " + Arrays.toString(want));
            }
        }
        return tensors;
    }
}
