package dev.mlx.engine.torchsave;

import java.util.Arrays;

/**
 * One tensor of a {@code torch.save} state dict, materialised as float32 values in row-major
 * order (whatever its storage offset and strides were).
 *
 * @param name the state-dict key, e.g. {@code bert.embeddings.word_embeddings.weight}
 * @param dtype the element type of its storage
 * @param shape the sizes (empty for a scalar)
 * @param values the elements as float32, row-major
 */
public record TorchTensor(String name, TorchDType dtype, long[] shape, float[] values) {
    public TorchTensor {
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
