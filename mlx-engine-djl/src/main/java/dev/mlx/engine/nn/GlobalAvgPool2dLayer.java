package dev.mlx.engine.nn;

import ai.djl.ndarray.NDArray;
import dev.mlx.api.train.Interval;
import dev.mlx.api.train.Scalars;
import java.util.List;

/**
 * Global average pooling, PyTorch's {@code AdaptiveAvgPool2d((1, 1))}: {@code [N, C, H, W]} to
 * {@code [N, C, 1, 1]}, {@code y[n, c] = (1 / HW) sum_ij x[n, c, i, j]}.
 *
 * <p><b>Intervals.</b> A linear map with non-negative weights, so both passes are exact: forward
 * {@code [mean(l), mean(u)]}; backward, every input position receives {@code g / (HW)}:
 * {@code [G_L / (HW), G_U / (HW)]} broadcast over {@code H x W}.
 */
public final class GlobalAvgPool2dLayer implements Layer {
    @Override
    public String describe() {
        return "GlobalAvgPool2d";
    }

    @Override
    public List<Parameter> parameters() {
        return List.of();
    }

    @Override
    public NDArray forward(NDArray x) {
        // the engine averages over one axis at a time; equal-sized rows make the mean of means exact
        return x.mean(new int[] {3}, true).mean(new int[] {2}, true);
    }

    @Override
    public boolean supportsIntervals() {
        return true;
    }

    @Override
    public Interval forwardInterval(Interval input) {
        return new Interval(forward(input.lower()), forward(input.upper()));
    }

    @Override
    public Interval backwardInterval(Interval outputGradient, Interval input) {
        ai.djl.ndarray.types.Shape shape = input.lower().getShape();
        long area = shape.get(2) * shape.get(3);
        NDArray lower = Scalars.divide(outputGradient.lower().reshape(shape.get(0), shape.get(1), 1, 1), area);
        NDArray upper = Scalars.divide(outputGradient.upper().reshape(shape.get(0), shape.get(1), 1, 1), area);
        return new Interval(lower.broadcast(shape), upper.broadcast(shape));
    }
}
