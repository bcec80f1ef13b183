package dev.mlx.app.sweep;

import dev.mlx.api.error.MlxException;
import dev.mlx.app.run.Restarts;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * What a sweep maximises, per method, to choose its setting: an aggregate over seeds (reference
 * specification §8.1) of the validation split's group accuracies. Never the test split.
 */
public enum SelectionMetric {
    /** Validation Wg Acc: the lowest seed-averaged group accuracy (the default). */
    VAL_WG("val-wg", "validation Wg Acc"),
    /** Validation Avg Acc: the mean of the seed-averaged group accuracies. */
    VAL_AVG("val-avg", "validation Avg Acc");

    private final String fileName;
    private final String label;

    SelectionMetric(String fileName, String label) {
        this.fileName = fileName;
        this.label = label;
    }

    /** @return the name in sweep files, e.g. {@code val-wg} */
    public String fileName() {
        return fileName;
    }

    /** @return the name in reports, e.g. {@code validation Wg Acc} */
    public String label() {
        return label;
    }

    /**
     * @param validation a setting's validation aggregate over its seeds
     * @return the score to maximise
     */
    public double score(Restarts.Aggregate validation) {
        return this == VAL_WG ? validation.wgMean() : validation.avgMean();
    }

    /**
     * @param name a name as written in a sweep file
     * @return the metric
     * @throws MlxException (user error) naming the allowed names
     */
    public static SelectionMetric parse(String name) {
        for (SelectionMetric m : values()) {
            if (m.fileName.equals(name)) {
                return m;
            }
        }
        throw MlxException.userError("selection '" + name + "' is unknown; use one of "
                + Arrays.stream(values()).map(SelectionMetric::fileName).collect(Collectors.joining(", ")));
    }
}
