package dev.mlx.engine.nn;

import ai.djl.ndarray.NDArray;
import dev.mlx.api.train.Interval;
import java.util.List;

/**
 * An executable layer of a {@link Network}: the forward function and, where supported, the two
 * interval passes of interval bound propagation (IBP).
 *
 * <p>Interval passes must be sound: for every input in the input interval the output lies in the
 * output interval, and for every input in the stored input interval and every output cotangent in
 * the cotangent interval, the input cotangent {@code J^T g} lies in the returned interval.
 */
public interface Layer {
    /** @return a human description, e.g. {@code Linear(784, 512)} */
    String describe();

    /**
     * @return the named tensors of this layer: trainable and frozen parameters and buffers (see
     *     {@link Parameter#trainable()}), possibly none
     */
    List<Parameter> parameters();

    /**
     * @param x the input batch
     * @return the output batch, on {@code x}'s manager
     */
    NDArray forward(NDArray x);

    /**
     * @return whether {@link #forwardInterval} is implemented (and sound) in the network's current
     *     mode
     */
    boolean supportsIntervals();

    /**
     * @return whether {@link #backwardInterval} is implemented (and sound) in the network's current
     *     mode; by default the same as {@link #supportsIntervals()}
     */
    default boolean supportsBackwardIntervals() {
        return supportsIntervals();
    }

    /**
     * @param input an interval over this layer's inputs
     * @return an interval over its outputs
     */
    Interval forwardInterval(Interval input);

    /**
     * @param outputGradient an interval over the cotangent of this layer's output
     * @param input the interval over this layer's input (from the forward interval pass)
     * @return an interval over the cotangent of its input
     */
    Interval backwardInterval(Interval outputGradient, Interval input);

    /**
     * @return whether {@link #cotangent} is implemented: the layer's vector-Jacobian product as
     *     differentiable forward operations, which lets a network take input gradients by an explicit
     *     backward pass (no second-order autograd pass, see {@code Network#inputGradient})
     */
    default boolean hasExplicitCotangent() {
        return false;
    }

    /**
     * The cotangent of this layer's input, {@code J(x)^T g}, computed with forward operations, so
     * the result is differentiable with respect to {@code g} and the parameters. Piecewise-linear
     * layers treat their pattern at {@code x} (which ReLUs are on) as a constant, as autograd does.
     *
     * @param outputGradient the cotangent of the layer's output at {@code input}
     * @param input the layer's input {@code x}
     * @return the cotangent of the input, shape of {@code input}
     * @throws UnsupportedOperationException unless {@link #hasExplicitCotangent()}
     */
    default NDArray cotangent(NDArray outputGradient, NDArray input) {
        throw new UnsupportedOperationException(describe() + " has no explicit cotangent");
    }

    /**
     * One forward interval step that remembers what its backward step needs. The default pairs
     * {@link #forwardInterval} with {@link #backwardInterval} at the same input; containers
     * override it so the backward step reuses the intervals computed inside them.
     *
     * @param input an interval over this layer's inputs
     * @return the output interval and the backward map
     */
    default IntervalStep intervalStep(Interval input) {
        return new IntervalStep(forwardInterval(input), g -> backwardInterval(g, input));
    }
}
