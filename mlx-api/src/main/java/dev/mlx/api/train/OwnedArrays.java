package dev.mlx.api.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Arrays built from Java data whose native memory the engine owns, for every constant that takes
 * part in a differentiated expression (masks, noise, one-hot tables, sampled token ids, scalars).
 *
 * <p>Why: DJL's PyTorch engine turns {@code manager.create(float[] / double[] / Buffer ...)} into
 * a tensor over a Java direct buffer ({@code torch::from_blob}): libtorch does not own that memory,
 * only the {@code PtNDArray}'s Java reference keeps it alive. Once that array is closed (its
 * manager or a sub-manager ends, or a {@code try}-with-resources closes it) the buffer is freed at
 * the next garbage collection, while autograd may still hold the tensor for the backward pass, or a
 * view of it may still be in use: the backward pass then reads freed memory (zeros or garbage,
 * depending on when the collector ran). Two DJL 0.35.1 facts make this easy to get wrong:
 * {@code toType(sameType, true)} does <em>not</em> copy (libtorch's {@code to(dtype)} returns the
 * tensor itself when nothing changes, the copy flag is not passed on), and views ({@code reshape},
 * {@code expandDims}, slicing) share the borrowed memory. {@link NDArray#duplicate()} does copy: it
 * is libtorch's {@code clone()}, which allocates with libtorch's allocator.
 *
 * <p>Every method here returns an array on the given manager that shares no memory with any Java
 * buffer; the temporary borrowed array is closed before returning. The copies are constants: they
 * do not require gradients.
 */
public final class OwnedArrays {
    private OwnedArrays() {}

    /**
     * Takes over a borrowed array: returns an engine-owned copy of it in {@code type} on the same
     * manager and closes {@code borrowed}.
     *
     * @param borrowed an array created from Java data; closed by this call
     * @param type the data type of the result
     * @return the copy, sharing no memory with {@code borrowed}
     */
    public static NDArray own(NDArray borrowed, DataType type) {
        try (NDArray source = borrowed) {
            NDArray copy = source.duplicate();
            NDArray typed = copy.toType(type, false);
            if (typed != copy) {
                copy.close();
            }
            return typed;
        }
    }

    /**
     * @param manager the manager of the result
     * @param data values in row-major order
     * @param shape the shape ({@code shape.size() == data.length})
     * @param type the data type of the result (float64 data keeps its precision in float64)
     * @return an engine-owned array
     */
    public static NDArray of(NDManager manager, double[] data, Shape shape, DataType type) {
        return own(manager.create(data, shape), type);
    }

    /**
     * @param manager the manager of the result
     * @param data values in row-major order
     * @param shape the shape ({@code shape.size() == data.length})
     * @param type the data type of the result
     * @return an engine-owned array
     */
    public static NDArray of(NDManager manager, float[] data, Shape shape, DataType type) {
        return own(manager.create(data, shape), type);
    }

    /**
     * @param manager the manager of the result
     * @param data the values (for example labels or token ids), shape {@code [data.length]}
     * @return an engine-owned int64 array
     */
    public static NDArray of(NDManager manager, long[] data) {
        return own(manager.create(data), DataType.INT64);
    }

    /**
     * @param manager the manager of the result
     * @param value the value
     * @param type the data type of the result
     * @return an engine-owned 0-dimensional array
     */
    public static NDArray scalar(NDManager manager, double value, DataType type) {
        return own(manager.create(value), type);
    }
}
