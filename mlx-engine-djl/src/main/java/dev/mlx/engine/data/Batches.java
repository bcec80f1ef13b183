package dev.mlx.engine.data;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.mlx.api.data.DataSplit;
import dev.mlx.api.train.Batch;
import dev.mlx.api.train.OwnedArrays;

/** Copies examples of a {@link DataSplit} into NDArrays on a (batch-scoped) manager. */
public final class Batches {
    private Batches() {}

    /**
     * @param split the data
     * @param indices the examples to take, in order
     * @param from first position in {@code indices}
     * @param to end position (exclusive)
     * @param manager where to create the arrays
     * @return the batch
     */
    public static Batch slice(DataSplit split, int[] indices, int from, int to, NDManager manager) {
        int f = split.featureCount();
        int n = to - from;
        float[] x = new float[n * f];
        float[] m = new float[n * f];
        long[] y = new long[n];
        float[] inputs = split.inputs();
        float[] masks = split.masks();
        int[] labels = split.labels();
        for (int i = 0; i < n; i++) {
            int idx = indices[from + i];
            System.arraycopy(inputs, idx * f, x, i * f, f);
            System.arraycopy(masks, idx * f, m, i * f, f);
            y[i] = labels[idx];
        }
        Shape shape = shape(n, split.exampleShape());
        // engine-owned copies: an array over a Java buffer (NDManager.create) that a backward pass still
        // reads after its Java object is gone would read freed memory (see OwnedArrays)
        NDArray xs = OwnedArrays.of(manager, x, shape, DataType.FLOAT32);
        NDArray ms = OwnedArrays.of(manager, m, shape, DataType.FLOAT32);
        NDArray ys = OwnedArrays.of(manager, y);
        return new Batch(xs, ys, ms);
    }

    /** @return the identity permutation {@code 0..n-1} */
    public static int[] range(int n) {
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) {
            idx[i] = i;
        }
        return idx;
    }

    static Shape shape(int n, int[] exampleShape) {
        long[] dims = new long[exampleShape.length + 1];
        dims[0] = n;
        for (int i = 0; i < exampleShape.length; i++) {
            dims[i + 1] = exampleShape[i];
        }
        return new Shape(dims);
    }
}
