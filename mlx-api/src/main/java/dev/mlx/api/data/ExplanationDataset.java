package dev.mlx.api.data;

import dev.mlx.api.error.MlxException;
import java.util.Arrays;

/**
 * A dataset with explanation masks: a training split and a test split with the same example
 * shape and classes.
 *
 * @param name the dataset name, as registered by its provider
 * @param train the training split (its masks are used by the regularizers)
 * @param test the test split (its groups are used by the group metrics)
 * @param checksum a digest identifying the source data (e.g. the SHA-256 of the raw files), for provenance
 */
public record ExplanationDataset(String name, DataSplit train, DataSplit test, String checksum) {
    public ExplanationDataset {
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

    /** @return the number of classes */
    public int numClasses() {
        return train.numClasses();
    }
}
