package dev.mlx.engine.text;

import java.util.Arrays;

/**
 * A named float tensor in HuggingFace layout (Linear weights {@code [out, in]}), as read from a
 * checkpoint before it becomes a parameter.
 *
 * @param name the HuggingFace parameter name, e.g. {@code encoder.layer.0.attention.self.query.weight}
 * @param shape the dimensions
 * @param values the values, row-major
 */
public record WeightTensor(String name, long[] shape, float[] values) {
    public WeightTensor {
        shape = shape.clone();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WeightTensor t && name.equals(t.name) && Arrays.equals(shape, t.shape)
                && Arrays.equals(values, t.values);
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return name + Arrays.toString(shape);
    }
}
