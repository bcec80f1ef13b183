package dev.mlx.engine.text;

import dev.mlx.api.error.MlxException;
import dev.mlx.engine.safetensors.SafetensorsReader;
import dev.mlx.engine.safetensors.SafetensorsTensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads a HuggingFace BERT {@code model.safetensors} ({@link SafetensorsReader}) and maps its
 * tensors onto {@link BertParameters} names by {@link BertStateDicts} (optional {@code bert.}
 * prefix, legacy LayerNorm names, {@code cls.*} skipped, every encoder tensor required).
 */
public final class BertSafetensorsWeights {
    private BertSafetensorsWeights() {}

    /**
     * @param file a HuggingFace BERT {@code model.safetensors}
     * @param config the sizes from the checkpoint's {@code config.json}
     * @return every encoder parameter (and the pooler when present) by HuggingFace name
     */
    public static Map<String, WeightTensor> load(Path file, BertConfig config) {
        return map(SafetensorsReader.read(file), config, file.toString());
    }

    /**
     * @param tensors the file's tensors by their stored names
     * @param config the expected sizes
     * @param source a name for messages
     * @return every encoder parameter (and the pooler when present) by HuggingFace name
     * @throws MlxException naming every missing, mis-shaped or unexpected tensor
     */
    public static Map<String, WeightTensor> map(Map<String, SafetensorsTensor> tensors, BertConfig config,
            String source) {
        List<WeightTensor> stored = new ArrayList<>();
        for (SafetensorsTensor t : tensors.values()) {
            stored.add(new WeightTensor(t.name(), t.shape(), t.values()));
        }
        return BertStateDicts.map(stored, config, source);
    }
}
