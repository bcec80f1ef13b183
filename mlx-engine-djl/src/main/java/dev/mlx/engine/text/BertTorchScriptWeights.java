package dev.mlx.engine.text;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.engine.PtEngine;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.JniUtils;
import dev.mlx.api.error.MlxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads the named parameters of a TorchScript BERT (e.g. {@code torch.jit.trace(BertModel, ...)
 * .save("traced_bert.pt")}) through DJL's PyTorch engine ({@code torch::jit::load}, then the
 * module's recursive {@code named_parameters()}) and maps them onto {@link BertParameters} names
 * by {@link BertStateDicts}. Buffers such as {@code embeddings.position_ids} are not parameters and
 * are not read. The module is loaded on a short-lived manager and closed before returning; its
 * code is never run.
 */
public final class BertTorchScriptWeights {
    private BertTorchScriptWeights() {}

    /**
     * @param file a TorchScript archive of a BERT
     * @param config the sizes from the checkpoint's {@code config.json}
     * @return every encoder parameter (and the pooler when present) by HuggingFace name
     * @throws MlxException if the file does not load as TorchScript or its parameters do not fit
     */
    public static Map<String, WeightTensor> load(Path file, BertConfig config) {
        List<WeightTensor> stored = new ArrayList<>();
        try (NDManager manager = Engine.getEngine(PtEngine.ENGINE_NAME).newBaseManager(Device.cpu())) {
            PtSymbolBlock module;
            try {
                module = JniUtils.loadModule((PtNDManager) manager, file, true, new String[0], new String[0], false);
            } catch (RuntimeException e) {
                throw MlxException.userError("cannot load " + file + " as a TorchScript module (" + e.getMessage()
                        + "); save it with torch.jit.trace(model, inputs).save(path), or put pytorch_model.bin or"
                        + " model.safetensors in the folder", e);
            }
            try {
                NDList parameters = JniUtils.moduleGetParams(module, (PtNDManager) manager);
                for (NDArray p : parameters) {
                    float[] values = p.getDataType() == DataType.FLOAT32 ? p.toFloatArray()
                            : p.toType(DataType.FLOAT32, false).toFloatArray();
                    stored.add(new WeightTensor(p.getName(), p.getShape().getShape(), values));
                }
            } finally {
                module.close();
            }
        }
        return BertStateDicts.map(stored, config, file.toString());
    }
}
