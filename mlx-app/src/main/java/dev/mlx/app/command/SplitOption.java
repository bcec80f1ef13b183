package dev.mlx.app.command;

import dev.mlx.api.data.DataSplit;
import dev.mlx.api.data.ExplanationDataset;
import dev.mlx.api.error.MlxException;
import picocli.CommandLine.Option;

/** The {@code --split} option of the commands that work on one split of a dataset (a picocli mixin). */
public final class SplitOption {
    @Option(names = "--split", description = "Dataset split: test, train or validation (the split carved from the"
            + " training data; default: test).")
    String split = "test";

    /** @return the split's name as given: {@code test}, {@code train} or {@code validation} once {@link #check()} passed */
    String name() {
        return split;
    }

    /** @return whether it names the test split */
    boolean isTest() {
        return split.equals("test");
    }

    /** @throws MlxException (user error) unless the option names a split */
    void check() {
        if (!split.equals("test") && !split.equals("train") && !split.equals("validation")) {
            throw MlxException.userError("--split " + split + " is not a split; use test, train or validation");
        }
    }

    /**
     * @param data a dataset
     * @return its split named by the option
     */
    DataSplit of(ExplanationDataset data) {
        if (split.equals("validation")) {
            return data.validation().orElseThrow(() -> MlxException.userError("dataset " + data.name() + " has no"
                    + " validation split (see its validation-fraction parameter in 'mlx plugins'); use --split test or"
                    + " train"));
        }
        return isTest() ? data.test() : data.train();
    }
}
