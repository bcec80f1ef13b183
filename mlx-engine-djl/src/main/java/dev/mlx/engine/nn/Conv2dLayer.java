package dev.mlx.engine.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import dev.mlx.api.error.UnsupportedCapabilityException;
import dev.mlx.api.train.Interval;
import java.util.List;

/**
 * 2-D convolution. Forward and input gradients (through autograd) are supported; interval bound
 * propagation through convolutions is not implemented yet and is refused with a clear message.
 */
final class Conv2dLayer implements Layer {
    private final String description;
    private final Parameter weight;
    private final Parameter bias;
    private final Shape stride;
    private final Shape padding;

    Conv2dLayer(String description, Parameter weight, Parameter bias, int stride, int padding) {
        this.description = description;
        this.weight = weight;
        this.bias = bias;
        this.stride = new Shape(stride, stride);
        this.padding = new Shape(padding, padding);
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public List<Parameter> parameters() {
        return List.of(weight, bias);
    }

    @Override
    public NDArray forward(NDArray x) {
        return Conv2d.conv2d(x, weight.array(), bias.array(), stride, padding).singletonOrThrow();
    }

    @Override
    public boolean supportsIntervals() {
        return false;
    }

    @Override
    public Interval forwardInterval(Interval input) {
        throw unsupported();
    }

    @Override
    public Interval backwardInterval(Interval outputGradient, Interval input) {
        throw unsupported();
    }

    private UnsupportedCapabilityException unsupported() {
        return new UnsupportedCapabilityException("interval bounds are not supported through " + description);
    }
}
