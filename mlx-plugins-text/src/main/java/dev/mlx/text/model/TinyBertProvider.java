package dev.mlx.text.model;

import dev.mlx.api.error.MlxException;
import dev.mlx.api.model.Architecture;
import dev.mlx.api.model.LayerSpec;
import dev.mlx.api.model.ModelProvider;
import dev.mlx.api.param.HyperParameters;
import dev.mlx.api.param.ParameterSchema;
import java.util.List;

/**
 * The {@code bert-tiny} model: a small randomly initialised BERT over the bert-base-uncased
 * vocabulary ({@code layers} x {@code hidden}, BERT's {@code N(0, 0.02)} initialisation), [CLS] or
 * mean pooling and the Linear-ReLU-Linear head; for quick experiments and tests where the
 * pretrained {@code minilm} is too slow.
 */
public final class TinyBertProvider implements ModelProvider {
    @Override
    public String name() {
        return "bert-tiny";
    }

    @Override
    public String description() {
        return "small random-init BERT (bert-base-uncased vocabulary) + Linear-ReLU-Linear head";
    }

    @Override
    public boolean offersTokenEmbeddings() {
        return true;
    }

    @Override
    public ParameterSchema parameters() {
        return ParameterSchema.builder()
                .addInt("layers", 2, 1, 24, "transformer layers")
                .addInt("hidden", 64, 8, 1024, "width (a multiple of heads)")
                .addInt("heads", 4, 1, 64, "attention heads")
                .addChoice("pooling", "mean", List.of("mean", "cls"), "how token states become one vector")
                .addInt("head", 32, 1, 1 << 16, "width of the head's hidden layer")
                .build();
    }

    @Override
    public Architecture build(HyperParameters params, int[] exampleShape, int numClasses) {
        int hidden = params.getInt("hidden");
        int heads = params.getInt("heads");
        if (hidden % heads != 0) {
            throw MlxException.userError("bert-tiny: hidden " + hidden + " is not a multiple of heads " + heads);
        }
        LayerSpec.TextEncoder encoder = new LayerSpec.TextEncoder("random", 30522, hidden, params.getInt("layers"),
                heads, 4 * hidden, 512, params.getString("pooling"), 0);
        return BertClassifiers.build(name(), encoder, params.getInt("head"), exampleShape, numClasses);
    }
}
