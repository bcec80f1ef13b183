package dev.mlx.engine.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.core.Linear;
import dev.mlx.api.train.Interval;
import java.util.List;

/**
 * {@code y = x W^T + b}. Intervals use Rump's centre/radius form, exact for a point weight:
 * forward {@code mu' = mu W^T + b, r' = r |W|^T}; backward {@code mu_G' = mu_G W, r_G' = r_G |W|}.
 * Exporters read the sizes and the two parameters through the public getters.
 */
public final class LinearLayer implements Layer {
    private final int in;
    private final int out;
    private final Parameter weight;
    private final Parameter bias;

    LinearLayer(int in, int out, Parameter weight, Parameter bias) {
        this.in = in;
        this.out = out;
        this.weight = weight;
        this.bias = bias;
    }

    /** @return the number of input features */
    public int in() {
        return in;
    }

    /** @return the number of outputs */
    public int out() {
        return out;
    }

    /** @return the weight {@code W}, shape {@code [out, in]} */
    public Parameter weight() {
        return weight;
    }

    /** @return the bias {@code b}, shape {@code [out]} */
    public Parameter bias() {
        return bias;
    }

    @Override
    public String describe() {
        return "Linear(" + in + ", " + out + ")";
    }

    @Override
    public List<Parameter> parameters() {
        return List.of(weight, bias);
    }

    @Override
    public NDArray forward(NDArray x) {
        return Linear.linear(x, weight.array(), bias.array()).singletonOrThrow();
    }

    @Override
    public boolean supportsIntervals() {
        return true;
    }

    @Override
    public Interval forwardInterval(Interval input) {
        NDArray mu = input.centre();
        NDArray r = input.radius();
        NDArray muOut = Linear.linear(mu, weight.array(), bias.array()).singletonOrThrow();
        NDArray rOut = Linear.linear(r, absWeight(r)).singletonOrThrow();
        return new Interval(muOut.sub(rOut), muOut.add(rOut));
    }

    /** |W|, created on the manager of {@code like} (the batch's), not on the parameters' manager. */
    private NDArray absWeight(NDArray like) {
        NDArray abs = weight.array().abs();
        abs.attach(like.getManager());
        return abs;
    }

    @Override
    public Interval backwardInterval(Interval outputGradient, Interval input) {
        NDArray mu = outputGradient.centre().matMul(weight.array());
        NDArray radius = outputGradient.radius();
        NDArray r = radius.matMul(absWeight(radius));
        return new Interval(mu.sub(r), mu.add(r));
    }
}
