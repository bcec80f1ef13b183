package dev.mlx.engine.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.pooling.Pool;
import dev.mlx.api.error.UnsupportedCapabilityException;
import dev.mlx.api.train.Interval;
import java.util.List;

/**
 * 2-D max pooling with a square window, as PyTorch's {@code MaxPool2d(kernel, stride, padding)}
 * (implicit {@code -infinity} padding, floor mode): {@code y[n, c, i, j] = max} of the window
 * starting at {@code (i s - p, j s - p)}. Its derivative routes each output cotangent to the
 * window's maximum; libtorch differentiates that routing again, so input gradients through it
 * are differentiable with respect to the parameters (double backprop).
 *
 * <p><b>Intervals.</b> The maximum is monotone in every argument, so the forward interval
 * {@code [maxpool(l), maxpool(u)]} is sound (and exact for each bound). The backward interval pass
 * is not implemented: {@link #supportsBackwardIntervals()} is false and bounding an input
 * gradient through this layer fails with an {@link UnsupportedCapabilityException} naming it.
 *
 * <p>Exporters read {@link #kernel()}, {@link #stride()} and {@link #padding()}.
 */
public final class MaxPool2dLayer implements Layer {
    private final int kernel;
    private final int stride;
    private final int padding;

    MaxPool2dLayer(int kernel, int stride, int padding) {
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
    }

    /** @return the side of the window */
    public int kernel() {
        return kernel;
    }

    /** @return the stride in both directions */
    public int stride() {
        return stride;
    }

    /** @return the implicit padding on every side */
    public int padding() {
        return padding;
    }

    @Override
    public String describe() {
        return "MaxPool2d(k=" + kernel + ", s=" + stride + ", p=" + padding + ")";
    }

    @Override
    public List<Parameter> parameters() {
        return List.of();
    }

    @Override
    public NDArray forward(NDArray x) {
        return Pool.maxPool2d(x, new Shape(kernel, kernel), new Shape(stride, stride), new Shape(padding, padding),
                false);
    }

    @Override
    public boolean supportsIntervals() {
        return true;
    }

    @Override
    public boolean supportsBackwardIntervals() {
        return false;
    }

    @Override
    public Interval forwardInterval(Interval input) {
        return new Interval(forward(input.lower()), forward(input.upper()));
    }

    @Override
    public Interval backwardInterval(Interval outputGradient, Interval input) {
        throw new UnsupportedCapabilityException("input-gradient interval bounds through " + describe()
                + " are not implemented (only its forward interval is); choose a regularizer that needs no gradient"
                + " bounds (e.g. ibp-ex, rand-r4) for this model");
    }
}
