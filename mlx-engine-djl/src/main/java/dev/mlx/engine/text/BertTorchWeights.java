package dev.mlx.engine.text;

import dev.mlx.engine.torchsave.TorchSaveReader;
import dev.mlx.engine.torchsave.TorchTensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads a HuggingFace BERT {@code pytorch_model.bin} ({@code torch.save} zip format, read by
 * {@link TorchSaveReader} without running pickled code) and maps its tensors onto
 * {@link BertParameters} names by {@link BertStateDicts}; float16, bfloat16 and float64 tensors
 * become float32.
 */
public final class BertTorchWeights {
    private BertTorchWeights() {}

    /**
     * @param file a {@code torch.save(model.state_dict())} file
     * @param config the sizes from the checkpoint's {@code config.json}
     * @return every encoder parameter (and the pooler when present) by HuggingFace name
     */
    public static Map<String, WeightTensor> load(Path file, BertConfig config) {
        List<WeightTensor> stored = new ArrayList<>();
        for (TorchTensor t : TorchSaveReader.read(file).values()) {
            stored.add(new WeightTensor(t.name(), t.shape(), t.values()));
        }
        return BertStateDicts.map(stored, config, file.toString());
    }
}
