package dev.mlx.text.model;

import dev.mlx.api.data.ExplanationDataset;
import dev.mlx.api.error.MlxException;
import dev.mlx.api.model.Architecture;
import dev.mlx.api.model.LayerSpec;
import dev.mlx.api.model.ModelProvider;
import dev.mlx.api.param.HyperParameters;
import dev.mlx.api.param.ParameterSchema;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The {@code bert} model: a standard HuggingFace BERT checkpoint from a local folder
 * ({@code dir=}; {@code config.json}, {@code tokenizer.json} and {@code model.safetensors},
 * {@code pytorch_model.bin} or a TorchScript {@code *.pt}, see {@link HfBertFolder}), e.g. bert-base-uncased (12 layers, hidden 768), pooled ({@code [CLS]} state
 * by default, or the attention-masked mean) and followed by the paper's head
 * {@code Linear(H, head) -> ReLU -> Linear(head, classes)}. The whole encoder is fine-tuned.
 */
public final class BertProvider implements ModelProvider {
    @Override
    public String name() {
        return "bert";
    }

    @Override
    public String description() {
        return "a HuggingFace BERT checkpoint folder (dir=, e.g. bert-base-uncased) + Linear-ReLU-Linear head, fine-tuned";
    }

    @Override
    public boolean offersTokenEmbeddings() {
        return true;
    }

    @Override
    public ParameterSchema parameters() {
        return ParameterSchema.builder()
                .addString("dir", "", "folder with config.json, tokenizer.json and model.safetensors,"
                        + " pytorch_model.bin or a TorchScript *.pt")
                .addChoice("pooling", "cls", List.of("cls", "mean"), "how token states become one vector")
                .addInt("head", 192, 1, 1 << 16, "width of the head's hidden layer")
                .build();
    }

    /**
     * Refuses a dataset tokenised with another vocabulary than the folder's {@code tokenizer.json}
     * (its ids would mean other tokens to this checkpoint).
     */
    @Override
    public void checkInputs(HyperParameters params, ExplanationDataset data) {
        String dir = params.getString("dir");
        Optional<String> datasets = data.property(ExplanationDataset.TOKENIZER);
        if (dir.isBlank() || datasets.isEmpty()) {
            return;
        }
        Path tokenizer = Path.of(dir).toAbsolutePath().resolve(HfBertFolder.TOKENIZER);
        if (!Files.isRegularFile(tokenizer)) {
            return;
        }
        if (!HfBertFolder.tokenizerFingerprint(tokenizer).equals(datasets.get())) {
            throw MlxException.userError("the dataset " + data.name() + " was tokenised with another vocabulary than "
                    + tokenizer + "; load it with --dataset-param tokenizer=" + Path.of(dir).toAbsolutePath()
                    + " so that its token ids are this checkpoint's");
        }
    }

    @Override
    public Architecture build(HyperParameters params, int[] exampleShape, int numClasses) {
        String dir = params.getString("dir");
        if (dir.isBlank()) {
            throw MlxException.userError("the bert model needs --model-param dir=<folder> holding config.json,"
                    + " tokenizer.json and model.safetensors (or pytorch_model.bin or a TorchScript *.pt); "
                    + HfBertFolder.howToGet(Path.of("bert-base-uncased")));
        }
        Path folder = Path.of(dir).toAbsolutePath();
        HfBertFolder.Sizes c = HfBertFolder.open(folder);
        LayerSpec.TextEncoder encoder = new LayerSpec.TextEncoder(HfBertFolder.SCHEME + folder, c.vocabSize(),
                c.hidden(), c.layers(), c.heads(), c.intermediate(), c.maxPositions(), params.getString("pooling"), 0);
        return BertClassifiers.build(name(), encoder, params.getInt("head"), exampleShape, numClasses);
    }
}
