package dev.mlx.app.command;

import dev.mlx.api.data.DataSplit;
import dev.mlx.api.data.ExplanationDataset;
import dev.mlx.api.error.MlxException;
import picocli.CommandLine.Option;

/** The {@code --split} option of the commands that work on one split of a dataset (a picocli mixin). */
public final class SplitOption {
    @Option(names = "--split", description = "Dataset split: test or train (default: test).")
    String split = "test";

    /** @return the split's name as given: {@code test} or {@code train} once {@link #check()} passed */
    String name() {
        return split;
    }

    /** @return whether it names the test split */
    boolean isTest() {
        return split.equals("test");
    }

    /** @throws MlxException (user error) unless the option names a split */
    void check() {
        if (!split.equals("test") && !split.equals("train")) {
            throw MlxException.userError("--split " + split + " is not a split; use test or train");
        }
    }

    /**
     * @param data a dataset
     * @return its split named by the option
     */
    DataSplit of(ExplanationDataset data) {
        return isTest() ? data.test() : data.train();
    }
}
