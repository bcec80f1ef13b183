package dev.mlx.engine.data;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.mlx.api.train.Batch;
import dev.mlx.api.data.DataSplit;
import dev.mlx.api.train.OwnedArrays;
import dev.mlx.engine.autograd.IndexSelect;

/**
 * A training split uploaded once to the device (the manager's) so that every mini-batch is a
 * gather on the device ({@code index_select} by an index tensor of the shuffled order) instead of
 * a copy from Java memory: one host-to-device transfer per split instead of one per step, and no
 * per-step Java copies of inputs and masks. The values are bit-identical to {@link Batches#slice}.
 *
 * <p>Lifetime: the uploaded arrays live on a sub-manager of the one given to {@link #upload}; close
 * this to free them. A batch's arrays are attached to the manager given to {@link #slice}.
 */
public final class ResidentSplit implements AutoCloseable {
    /**
     * Splits larger than this (inputs plus masks, in bytes) stay in Java memory and are copied per
     * batch; {@code -Dmlx.resident.maxBytes=N} changes it (0 switches residency off).
     */
    public static final long DEFAULT_MAX_BYTES = 4L << 30;

    private final NDManager manager;
    private final NDArray inputs;
    private final NDArray masks;
    private final NDArray labels;

    private ResidentSplit(NDManager manager, NDArray inputs, NDArray masks, NDArray labels) {
        this.manager = manager;
        this.inputs = inputs;
        this.masks = masks;
        this.labels = labels;
    }

    /**
     * @param split a split
     * @return true if the split is small enough to keep on the device ({@link #DEFAULT_MAX_BYTES})
     */
    public static boolean fits(DataSplit split) {
        long max = Long.getLong("mlx.resident.maxBytes", DEFAULT_MAX_BYTES);
        return 2L * 4L * split.size() * split.featureCount() <= max;
    }

    /**
     * @param split the split
     * @param parent the manager whose device receives the split (a sub-manager holds it)
     * @return the uploaded split
     */
    public static ResidentSplit upload(DataSplit split, NDManager parent) {
        NDManager m = parent.newSubManager();
        try {
            int n = split.size();
            int[] labels = split.labels();
            long[] y = new long[n];
            for (int i = 0; i < n; i++) {
                y[i] = labels[i];
            }
            return new ResidentSplit(m,
                    OwnedArrays.of(m, split.inputs(), Batches.shape(n, split.exampleShape()), DataType.FLOAT32),
                    OwnedArrays.of(m, split.masks(), Batches.shape(n, split.exampleShape()), DataType.FLOAT32),
                    OwnedArrays.of(m, y));
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    /**
     * The examples {@code indices[from..to)} as a batch on {@code target}, gathered on the device.
     *
     * @param indices the order of the examples (a permutation of the split)
     * @param from first position in {@code indices}
     * @param to end position (exclusive)
     * @param target the manager of the batch's arrays
     * @return the batch
     */
    public Batch slice(int[] indices, int from, int to, NDManager target) {
        long[] idx = new long[to - from];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = indices[from + i];
        }
        NDArray index = OwnedArrays.of(target, idx);
        // the masks only when read: ERM never does
        return Batch.withLazyMasks(gather(inputs, index, target), gather(labels, index, target),
                () -> gather(masks, index, target));
    }

    private static NDArray gather(NDArray source, NDArray index, NDManager target) {
        return IndexSelect.rows(source, index, target);
    }

    @Override
    public void close() {
        manager.close();
    }
}
