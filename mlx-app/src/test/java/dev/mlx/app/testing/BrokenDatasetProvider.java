package dev.mlx.app.testing;

import dev.mlx.api.data.DataContext;
import dev.mlx.api.data.DataSplit;
import dev.mlx.api.data.DatasetProvider;
import dev.mlx.api.data.ExplanationDataset;
import dev.mlx.api.param.HyperParameters;

/**
 * A dataset plugin whose data is wrong in one way: its masks do not have the shape of the
 * inputs, or one input is NaN. {@link DataSplit} must reject it when the provider builds it.
 */
public final class BrokenDatasetProvider implements DatasetProvider {
    /** What is wrong with the data. */
    public enum Defect {
        /** the masks hold one value fewer than the inputs */
        SHORT_MASK,
        /** example 3, feature 5 of the training inputs is NaN */
        NAN_INPUT
    }

    private final String name;
    private final Defect defect;

    public BrokenDatasetProvider(String name, Defect defect) {
        this.name = name;
        this.defect = defect;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String description() {
        return "broken test data: " + defect;
    }

    @Override
    public ExplanationDataset load(HyperParameters params, long seed, DataContext context) {
        int n = 10;
        int f = 16;
        float[] inputs = new float[n * f];
        float[] masks = new float[defect == Defect.SHORT_MASK ? n * f - 1 : n * f];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % 2;
        }
        if (defect == Defect.NAN_INPUT) {
            inputs[3 * f + 5] = Float.NaN;
        }
        DataSplit train = new DataSplit(name + "/train", new int[] {1, 4, 4}, inputs, masks, labels, labels, 2, 2);
        DataSplit test = new DataSplit(name + "/test", new int[] {1, 4, 4}, new float[n * f], new float[n * f],
                labels, labels, 2, 2);
        return new ExplanationDataset(name, train, test, "none");
    }
}
