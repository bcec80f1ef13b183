package dev.mlx.engine.nn;

import ai.djl.ndarray.NDArray;
import java.util.List;

/**
 * Base of the deliberately unsound layers (mutants) of the interval soundness tests: delegates
 * the description, parameters and forward pass to a real layer and claims interval support; a
 * subclass overrides the interval pass it breaks.
 */
abstract class UnsoundLayer implements Layer {
    final Layer real;

    UnsoundLayer(Layer real) {
        this.real = real;
    }

    @Override
    public String describe() {
        return "broken " + real.describe();
    }

    @Override
    public List<Parameter> parameters() {
        return real.parameters();
    }

    @Override
    public NDArray forward(NDArray x) {
        return real.forward(x);
    }

    @Override
    public boolean supportsIntervals() {
        return true;
    }
}
