package dev.mlx.engine.safetensors;

import java.util.Arrays;

/**
 * One tensor of a safetensors file, converted to float32 values in row-major order.
 *
 * @param name the tensor's name in the file, e.g. {@code layer1.0.conv1.weight}
 * @param dtype the stored element type
 * @param shape the shape (empty for a scalar)
 * @param values the elements as float32 (integers converted exactly up to {@code 2^24})
 */
public record SafetensorsTensor(String name, SafetensorsDType dtype, long[] shape, float[] values) {
    public SafetensorsTensor {
        shape = shape.clone();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    @Override
    public String toString() {
        return name + " " + dtype + Arrays.toString(shape);
    }
}
