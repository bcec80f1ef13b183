package dev.mlx.engine.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;
import dev.mlx.api.train.Interval;
import java.util.List;

/**
 * {@code max(x, 0)}. Forward interval {@code [relu(l), relu(u)]}. Backward: the derivative lies
 * in {@code [1[l > 0], 1[u > 0]]} (0 at 0, as in PyTorch) and the cotangent interval is multiplied
 * by it exactly: both 1 keeps {@code [G_L, G_U]}, both 0 gives {@code [0, 0]}, mixed gives
 * {@code [min(G_L, 0), max(G_U, 0)]}. The indicators are constants; the result stays
 * differentiable through {@code G}.
 */
public final class ReluLayer implements Layer {
    @Override
    public String describe() {
        return "ReLU";
    }

    @Override
    public List<Parameter> parameters() {
        return List.of();
    }

    @Override
    public NDArray forward(NDArray x) {
        return Activation.relu(x);
    }

    @Override
    public boolean hasExplicitCotangent() {
        return true;
    }

    /** {@code g * 1[x > 0]}: the derivative at 0 is 0, as in PyTorch. */
    @Override
    public NDArray cotangent(NDArray outputGradient, NDArray input) {
        return outputGradient.mul(indicator(input));
    }

    @Override
    public boolean supportsIntervals() {
        return true;
    }

    @Override
    public Interval forwardInterval(Interval input) {
        return new Interval(Activation.relu(input.lower()), Activation.relu(input.upper()));
    }

    @Override
    public Interval backwardInterval(Interval outputGradient, Interval input) {
        NDArray gl = outputGradient.lower();
        NDArray gu = outputGradient.upper();
        // with min(g, 0) = g - relu(g): lower = 1[u > 0] G_L - maybe relu(G_L), upper = 1[l > 0] G_U + maybe
        // relu(G_U), maybe = 1[u > 0] - 1[l > 0] (no minimum or maximum, whose backward passes cost three passes each)
        NDArray on = indicator(input.lower().reshape(gl.getShape()));
        NDArray up = indicator(input.upper().reshape(gl.getShape()));
        NDArray maybe = up.sub(on);
        NDArray lower = gl.mul(up).sub(Activation.relu(gl).mul(maybe));
        NDArray upper = gu.mul(on).add(Activation.relu(gu).mul(maybe));
        return new Interval(lower, upper);
    }

    /**
     * {@code 1[x > 0]} in {@code x}'s type, a constant: {@code sign(relu(x))} of {@code x} detached
     * (two fast passes; a comparison and a conversion from booleans take about five times as long in
     * libtorch).
     */
    private static NDArray indicator(NDArray x) {
        return Activation.relu(x.stopGradient()).sign();
    }
}
