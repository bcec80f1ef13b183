package dev.mlx.api.data;

import dev.mlx.api.error.MlxException;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;

/**
 * A dataset with explanation masks: a training split, an optional validation split and a test
 * split with the same example shape and classes.
 *
 * <p>The validation split is carved from the training data (never from the test data) with a
 * fixed seed ({@link ValidationSplit}); for decoy datasets its examples carry the decoy as at test
 * time, uncorrelated with the label, so that selecting on validation worst-group accuracy selects
 * for ignoring the decoy. A dataset without one has {@link Optional#empty()}.
 *
 * @param name the dataset name, as registered by its provider
 * @param train the training split (its masks are used by the regularizers)
 * @param test the test split (its groups are used by the group metrics)
 * @param validation the validation split, if the dataset has one
 * @param checksum a digest identifying the source data (e.g. the SHA-256 of the raw files), for provenance
 * @param properties facts about how the inputs were encoded that a model plugin may need to check
 *     ({@link dev.mlx.api.model.ModelProvider#checkInputs}); well-known keys: {@link #TOKENIZER}
 */
public record ExplanationDataset(String name, DataSplit train, DataSplit test, String checksum,
        Map<String, String> properties, Optional<DataSplit> validation) {
    /**
     * The key of the tokenizer a text dataset's token ids come from: a fingerprint of its vocabulary
     * (for example {@code wordpiece-sha256:<hex>}), equal for tokenizers that give the same ids.
     */
    public static final String TOKENIZER = "tokenizer";

    /** A dataset without properties and without a validation split. */
    public ExplanationDataset(String name, DataSplit train, DataSplit test, String checksum) {
        this(name, train, test, checksum, Map.of());
    }

    /** A dataset without a validation split. */
    public ExplanationDataset(String name, DataSplit train, DataSplit test, String checksum,
            Map<String, String> properties) {
        this(name, train, test, checksum, properties, Optional.empty());
    }

    public ExplanationDataset {
        properties = Map.copyOf(properties);
        if (validation.isPresent()) {
            DataSplit v = validation.get();
            if (!Arrays.equals(train.exampleShape(), v.exampleShape()) || train.numClasses() != v.numClasses()
                    || test.numGroups() != v.numGroups()) {
                throw MlxException.userError(name + ": the validation split " + v + " (" + v.numClasses()
                        + " classes, " + v.numGroups() + " groups) does not match the training split " + train + " ("
                        + train.numClasses() + " classes) and the test split's " + test.numGroups() + " groups");
            }
        }
        if (!Arrays.equals(train.exampleShape(), test.exampleShape())) {
            throw MlxException.userError(name + ": train examples have shape " + Arrays.toString(train.exampleShape())
                    + " but test examples " + Arrays.toString(test.exampleShape()));
        }
        if (train.numClasses() != test.numClasses()) {
            throw MlxException.userError(name + ": train has " + train.numClasses() + " classes, test "
                    + test.numClasses());
        }
    }

    /**
     * @param split the validation split (carved from the training data, never from the test data)
     * @return this dataset with that validation split
     */
    public ExplanationDataset withValidation(DataSplit split) {
        return new ExplanationDataset(name, train, test, checksum, properties, Optional.of(split));
    }

    /**
     * @param newTrain a training split of the same shape and classes
     * @return this dataset with another training split (validation, test and properties kept)
     */
    public ExplanationDataset withTrain(DataSplit newTrain) {
        return new ExplanationDataset(name, newTrain, test, checksum, properties, validation);
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
