package dev.mlx.engine.nn;

import ai.djl.ndarray.NDArray;
import dev.mlx.api.train.Interval;
import java.util.List;

/** Flattens all but the batch dimension; the backward pass reshapes to the input's shape. */
public final class FlattenLayer implements Layer {
    @Override
    public String describe() {
        return "Flatten";
    }

    @Override
    public List<Parameter> parameters() {
        return List.of();
    }

    @Override
    public NDArray forward(NDArray x) {
        return x.reshape(x.getShape().get(0), -1);
    }

    @Override
    public boolean hasExplicitCotangent() {
        return true;
    }

    @Override
    public NDArray cotangent(NDArray outputGradient, NDArray input) {
        return outputGradient.reshape(input.getShape());
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
        return new Interval(
                outputGradient.lower().reshape(input.lower().getShape()),
                outputGradient.upper().reshape(input.upper().getShape()));
    }
}
