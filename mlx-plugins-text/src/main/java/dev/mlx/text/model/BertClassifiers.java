package dev.mlx.text.model;

import dev.mlx.api.error.MlxException;
import dev.mlx.api.model.Architecture;
import dev.mlx.api.model.LayerSpec;
import java.util.Arrays;
import java.util.List;

/**
 * A BERT sequence classifier as an {@link Architecture}: the text encoder pooled to one vector,
 * then the paper's head {@code Linear(H, head) -> ReLU -> Linear(head, classes)} (the R4 code's
 * {@code BertModelWrapper}, reference spec §2, ends in logits here, not a Sigmoid).
 */
final class BertClassifiers {
    private BertClassifiers() {}

    static Architecture build(String model, LayerSpec.TextEncoder encoder, int head, int[] exampleShape,
            int numClasses) {
        if (exampleShape == null || exampleShape.length != 1) {
            throw MlxException.userError(model + " takes token ids of shape [length]; the dataset gives examples of"
                    + " shape " + Arrays.toString(exampleShape) + " (use a text dataset such as decoy-imdb)");
        }
        if (exampleShape[0] > encoder.maxPositions()) {
            throw MlxException.userError(model + " reads at most " + encoder.maxPositions() + " tokens, the dataset has "
                    + exampleShape[0] + "; lower the dataset's max-length");
        }
        if (numClasses < 2) {
            throw MlxException.userError(model + ": the dataset has " + numClasses + " classes; at least 2 are needed");
        }
        return new Architecture(List.of(encoder, new LayerSpec.Linear(encoder.hidden(), head), new LayerSpec.Relu(),
                new LayerSpec.Linear(head, numClasses)));
    }
}
