package dev.mlx.engine.onnx;

import java.util.Arrays;
import java.util.Objects;

/**
 * A constant float32 tensor of an {@link OnnxGraph} ({@code TensorProto} in the graph's
 * {@code initializer} list): the weights. The values are row-major, as in DJL and PyTorch.
 *
 * @param name the value name nodes refer to, e.g. {@code layer1.weight}
 * @param dims the shape
 * @param values the values, {@code prod(dims)} of them
 */
public record OnnxInitializer(String name, long[] dims, float[] values) {
    public OnnxInitializer {
        Objects.requireNonNull(name, "name");
        dims = dims.clone();
        values = values.clone();
        long size = 1;
        for (long d : dims) {
            if (d < 0) {
                throw new IllegalArgumentException(name + ": negative dimension in " + Arrays.toString(dims));
            }
            size *= d;
        }
        if (size != values.length) {
            throw new IllegalArgumentException(name + ": shape " + Arrays.toString(dims) + " needs " + size
                    + " values, got " + values.length);
        }
    }

    @Override
    public long[] dims() {
        return dims.clone();
    }

    @Override
    public float[] values() {
        return values.clone();
    }

    /** @return the values without a defensive copy, for the writer */
    float[] valuesView() {
        return values;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof OnnxInitializer other && name.equals(other.name) && Arrays.equals(dims, other.dims)
                && Arrays.equals(values, other.values);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, Arrays.hashCode(dims), Arrays.hashCode(values));
    }

    @Override
    public String toString() {
        return "OnnxInitializer[" + name + ", " + Arrays.toString(dims) + "]";
    }
}
