package dev.mlx.engine.onnx;

import java.util.Arrays;

/**
 * A value of the graph under construction: its name and its shape without the leading (dynamic)
 * batch dimension, e.g. {@code [1, 28, 28]} for a batch of MNIST images.
 *
 * @param name the value name
 * @param shape the per-example shape
 */
record TensorValue(String name, long[] shape) {
    TensorValue {
        shape = shape.clone();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** @return the number of per-example dimensions */
    int rank() {
        return shape.length;
    }

    /** @return the shape for messages, batch dimension first, e.g. {@code [batch, 1, 28, 28]} */
    String describe() {
        String dims = Arrays.toString(shape);
        return "[batch" + (shape.length == 0 ? "" : ", " + dims.substring(1, dims.length() - 1)) + "]";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorValue other && name.equals(other.name) && Arrays.equals(shape, other.shape);
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return name + describe();
    }
}
