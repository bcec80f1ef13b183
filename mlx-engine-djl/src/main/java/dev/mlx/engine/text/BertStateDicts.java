package dev.mlx.engine.text;

import dev.mlx.api.error.MlxException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Maps the tensors of a HuggingFace {@code BertModel} / {@code BertForMaskedLM} /
 * {@code BertForPreTraining} state dict, as stored by {@code model.safetensors},
 * {@code pytorch_model.bin} or a traced TorchScript module, onto {@link BertParameters} names.
 *
 * <p>All three keep HuggingFace's layout (Linear weights {@code [out, in]}), so the mapping is by
 * name only:
 * <ul>
 *   <li>a leading {@code bert.} (the task models' base-model prefix) is dropped;
 *   <li>the legacy LayerNorm names {@code LayerNorm.gamma} / {@code LayerNorm.beta} (kept by
 *       bert-base-uncased's own files) become {@code LayerNorm.weight} / {@code LayerNorm.bias};
 *   <li>the pre-training heads {@code cls.*} are skipped with one log line; the buffer
 *       {@code embeddings.position_ids} is checked to be {@code 0, 1, 2, ...} and dropped;
 *   <li>the pooler is optional, but if present must be complete.
 * </ul>
 * Every encoder tensor of the configuration must be present with its shape; all missing,
 * mis-shaped and unexpected tensors are reported together in one {@link MlxException}.
 */
public final class BertStateDicts {
    private static final Logger LOG = LoggerFactory.getLogger(BertStateDicts.class);
    private static final String BASE_PREFIX = "bert.";
    private static final String HEADS_PREFIX = "cls.";
    private static final String POSITION_IDS = "embeddings.position_ids";
    private static final int LISTED = 12;

    private BertStateDicts() {}

    /**
     * @param stored the file's tensors, each under its stored name
     * @param config the expected sizes
     * @param source the file, for messages
     * @return every encoder parameter (and the pooler when present) by HuggingFace name
     * @throws MlxException naming every missing, mis-shaped or unexpected tensor
     */
    public static Map<String, WeightTensor> map(Collection<WeightTensor> stored, BertConfig config, String source) {
        Map<String, long[]> expected = BertParameters.shapesWithPooler(config);
        Map<String, WeightTensor> mapped = new LinkedHashMap<>();
        List<String> skipped = new ArrayList<>();
        List<String> unexpected = new ArrayList<>();
        List<String> misShaped = new ArrayList<>();
        Set<String> present = new HashSet<>();
        for (WeightTensor t : stored) {
            String name = hfName(t.name());
            if (name.startsWith(HEADS_PREFIX)) {
                skipped.add(t.name());
                continue;
            }
            if (name.equals(POSITION_IDS)) {
                checkPositionIds(t, source);
                continue;
            }
            long[] want = expected.get(name);
            present.add(name);
            if (want == null) {
                unexpected.add(t.name());
            } else if (!Arrays.equals(want, t.shape())) {
                misShaped.add(t.name() + " " + Arrays.toString(t.shape()) + " (needs " + Arrays.toString(want) + ")");
            } else if (mapped.put(name, new WeightTensor(name, t.shape(), t.values())) != null) {
                unexpected.add(t.name() + " (a second tensor for " + name + ")");
            }
        }
        List<String> missing = new ArrayList<>();
        for (String name : expected.keySet()) {
            if (!present.contains(name) && !name.startsWith("pooler.")) {
                missing.add(name);
            }
        }
        if (present.contains(BertParameters.POOLER_WEIGHT) != present.contains(BertParameters.POOLER_BIAS)) {
            missing.add(present.contains(BertParameters.POOLER_WEIGHT) ? BertParameters.POOLER_BIAS
                    : BertParameters.POOLER_WEIGHT);
        }
        if (!missing.isEmpty() || !misShaped.isEmpty() || !unexpected.isEmpty()) {
            List<String> parts = new ArrayList<>();
            describe(parts, "missing", missing);
            describe(parts, "with the wrong shape", misShaped);
            describe(parts, "that are not BERT encoder parameters", unexpected);
            throw MlxException.userError(source + " does not fit " + config + ": " + String.join("; ", parts)
                    + "; check that config.json belongs to these weights (names may carry the prefix bert.)");
        }
        if (!skipped.isEmpty()) {
            LOG.info("{}: skipped {} pre-training head tensors (cls.*), which the classifier does not use", source,
                    skipped.size());
        }
        return mapped;
    }

    /** @return {@code stored} without the {@code bert.} prefix and with legacy LayerNorm names renamed */
    static String hfName(String stored) {
        String name = stored.startsWith(BASE_PREFIX) ? stored.substring(BASE_PREFIX.length()) : stored;
        if (name.endsWith("LayerNorm.gamma")) {
            return name.substring(0, name.length() - "gamma".length()) + "weight";
        }
        if (name.endsWith("LayerNorm.beta")) {
            return name.substring(0, name.length() - "beta".length()) + "bias";
        }
        return name;
    }

    private static void describe(List<String> parts, String what, List<String> names) {
        if (!names.isEmpty()) {
            parts.add(names.size() + (names.size() == 1 ? " tensor " : " tensors ") + what + " "
                    + (names.size() > LISTED ? names.subList(0, LISTED) + " ..." : names));
        }
    }

    private static void checkPositionIds(WeightTensor t, String source) {
        float[] ids = t.values();
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] != i) {
                throw MlxException.userError(source + ": " + t.name() + "[" + i + "] is " + ids[i] + " where " + i
                        + " was expected; positions must be 0, 1, 2, ...");
            }
        }
    }
}
