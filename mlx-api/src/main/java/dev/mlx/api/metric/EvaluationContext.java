package dev.mlx.api.metric;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.mlx.api.data.DataSplit;
import dev.mlx.api.train.Batch;
import dev.mlx.api.train.OwnedArrays;
import java.util.Objects;

/**
 * What a {@link Metric} gets besides the model and the data.
 *
 * @param manager the manager under which the metric creates its arrays (normally a sub-manager of
 *     the engine's root that the caller closes afterwards)
 * @param batchSize the number of examples per forward pass, {@code >= 1}
 * @param seed the seed of every random draw the metric makes
 */
public record EvaluationContext(NDManager manager, int batchSize, long seed) {
    public EvaluationContext {
        Objects.requireNonNull(manager, "manager");
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
        }
    }

    /** Receives one batch of {@link #forEachBatch}. */
    @FunctionalInterface
    public interface BatchVisitor {
        /**
         * @param batch the batch: float32 inputs and masks {@code [B, ...exampleShape]}, int64 labels
         *     {@code [B]}, on a manager that is closed when this call returns
         * @param offset the index in the split of the batch's first example (example {@code offset + i}
         *     of the split is row {@code i} of the batch)
         */
        void visit(Batch batch, int offset);
    }

    /**
     * Visits the split in order, in batches of at most {@link #batchSize()} examples. Each batch lives
     * on its own sub-manager of {@link #manager()} and every array created while visiting it (also
     * arrays on other managers, such as results of operations whose first operand is a parameter) is
     * freed when the visit returns: copy out what you need as Java values.
     *
     * @param split the data
     * @param visitor called once per batch
     */
    @SuppressWarnings("try") // the scope is only opened and closed: it frees what the visitor left
    public void forEachBatch(DataSplit split, BatchVisitor visitor) {
        int n = split.size();
        for (int from = 0; from < n; from += batchSize) {
            int to = Math.min(n, from + batchSize);
            try (NDScope scope = new NDScope(); NDManager batchManager = manager.newSubManager()) {
                visitor.visit(slice(split, from, to, batchManager), from);
            }
        }
    }

    /**
     * Copies examples {@code [from, to)} of a split into arrays on {@code manager}.
     *
     * @param split the data
     * @param from the first example
     * @param to the end (exclusive)
     * @param manager where the arrays are created
     * @return the batch
     */
    public static Batch slice(DataSplit split, int from, int to, NDManager manager) {
        if (from < 0 || to > split.size() || from > to) {
            throw new IndexOutOfBoundsException("examples [" + from + ", " + to + ") of " + split);
        }
        int f = split.featureCount();
        int count = to - from;
        float[] x = new float[count * f];
        float[] m = new float[count * f];
        System.arraycopy(split.inputs(), from * f, x, 0, count * f);
        System.arraycopy(split.masks(), from * f, m, 0, count * f);
        long[] y = new long[count];
        int[] labels = split.labels();
        for (int i = 0; i < count; i++) {
            y[i] = labels[from + i];
        }
        int[] shape = split.exampleShape();
        long[] dims = new long[shape.length + 1];
        dims[0] = count;
        for (int i = 0; i < shape.length; i++) {
            dims[i + 1] = shape[i];
        }
        NDArray inputs = OwnedArrays.of(manager, x, new Shape(dims), DataType.FLOAT32);
        NDArray masks = OwnedArrays.of(manager, m, new Shape(dims), DataType.FLOAT32);
        return new Batch(inputs, OwnedArrays.of(manager, y), masks);
    }
}
