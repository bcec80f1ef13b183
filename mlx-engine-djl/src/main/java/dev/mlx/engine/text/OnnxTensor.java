package dev.mlx.engine.text;

import java.util.Arrays;

/**
 * One initializer (a stored weight tensor) of an ONNX model: {@code TensorProto} with its name,
 * dimensions and values. Float tensors keep {@link #floats()}, int64 tensors {@link #longs()}; the
 * other array is empty.
 *
 * @param name the initializer name
 * @param dims the dimensions, outermost first
 * @param dataType the ONNX element type ({@link #FLOAT} or {@link #INT64})
 * @param floats the values of a float tensor, row-major
 * @param longs the values of an int64 tensor, row-major
 */
public record OnnxTensor(String name, long[] dims, int dataType, float[] floats, long[] longs) {
    /** ONNX {@code TensorProto.DataType.FLOAT}. */
    public static final int FLOAT = 1;
    /** ONNX {@code TensorProto.DataType.INT64}. */
    public static final int INT64 = 7;

    public OnnxTensor {
        dims = dims.clone();
    }

    @Override
    public long[] dims() {
        return dims.clone();
    }

    /** @return the number of elements, the product of the dimensions */
    public long elementCount() {
        long n = 1;
        for (long d : dims) {
            n *= d;
        }
        return n;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof OnnxTensor t && name.equals(t.name) && Arrays.equals(dims, t.dims) && dataType == t.dataType
                && Arrays.equals(floats, t.floats) && Arrays.equals(longs, t.longs);
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(dims);
    }

    @Override
    public String toString() {
        return name + Arrays.toString(dims);
    }
}
