package dev.mlx.api.data;

import dev.mlx.api.error.MlxException;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;

/**
 * A dataset with explanation masks: a training split and a test split with the same example
 * shape and classes.
 *
 * @param name the dataset name, as registered by its provider
 * @param train the training split (its masks are used by the regularizers)
 * @param test the test split (its groups are used by the group metrics)
 * @param checksum a digest identifying the source data (e.g. the SHA-256 of the raw files), for provenance
 * @param properties facts about how the inputs were encoded that a model plugin may need to check
 *     ({@link dev.mlx.api.model.ModelProvider#checkInputs}); well-known keys: {@link #TOKENIZER}
 */
public record ExplanationDataset(String name, DataSplit train, DataSplit test, String checksum,
        Map<String, String> properties) {
    /**
     * The key of the tokenizer a text dataset's token ids come from: a fingerprint of its vocabulary
     * (for example {@code wordpiece-sha256:<hex>}), equal for tokenizers that give the same ids.
     */
    public static final String TOKENIZER = "tokenizer";

    /** A dataset without properties. */
    public ExplanationDataset(String name, DataSplit train, DataSplit test, String checksum) {
        this(name, train, test, checksum, Map.of());
    }

    public ExplanationDataset {
        properties = Map.copyOf(properties);
        if (!Arrays.equals(train.exampleShape(), test.exampleShape())) {
            throw MlxException.userError(name + ": train examples have shape " + Arrays.toString(train.exampleShape())
                    + " but test examples " + Arrays.toString(test.exampleShape()));
        }
        if (train.numClasses() != test.numClasses()) {
            throw MlxException.userError(name + ": train has " + train.numClasses() + " classes, test "
                    + test.numClasses());
        }
    }

    /** @return the shape of one example */
    public int[] exampleShape() {
        return train.exampleShape();
    }

    /**
     * @param key a property key, e.g. {@link #TOKENIZER}
     * @return its value, if the provider set it
     */
    public Optional<String> property(String key) {
        return Optional.ofNullable(properties.get(key));
    }

    /** @return the number of classes */
    public int numClasses() {
        return train.numClasses();
    }
}
