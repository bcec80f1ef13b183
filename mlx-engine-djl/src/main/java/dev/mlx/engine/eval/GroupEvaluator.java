package dev.mlx.engine.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import dev.mlx.api.data.DataSplit;
import dev.mlx.api.metric.GroupAccuracy;
import dev.mlx.api.train.Batch;
import dev.mlx.api.train.Model;
import dev.mlx.engine.data.Batches;

/** Accuracy per group of a split: argmax of the logits against the label, counted per group id. */
public final class GroupEvaluator {
    private final int batchSize;

    /** @param batchSize examples per forward pass */
    public GroupEvaluator(int batchSize) {
        this.batchSize = batchSize;
    }

    /**
     * @param model the model
     * @param split the data, with group ids
     * @param manager a manager under which temporaries are created and freed
     * @return correct and total counts per group
     */
    public GroupAccuracy evaluate(Model model, DataSplit split, NDManager manager) {
        long[] correct = new long[split.numGroups()];
        long[] count = new long[split.numGroups()];
        int[] groups = split.groups();
        int[] labels = split.labels();
        int[] order = Batches.range(split.size());
        for (int from = 0; from < split.size(); from += batchSize) {
            int to = Math.min(split.size(), from + batchSize);
            try (NDScope scope = new NDScope(); NDManager batchManager = manager.newSubManager()) {
                scope.suppressNotUsedWarning(); // DJL's idiom: the scope frees arrays derived from the parameters
                Batch batch = Batches.slice(split, order, from, to, batchManager);
                NDArray predicted = model.logits(batch.inputs()).argMax(1);
                long[] p = predicted.toLongArray();
                for (int i = 0; i < p.length; i++) {
                    int idx = from + i;
                    count[groups[idx]]++;
                    if (p[i] == labels[idx]) {
                        correct[groups[idx]]++;
                    }
                }
            }
        }
        return new GroupAccuracy(correct, count);
    }
}
