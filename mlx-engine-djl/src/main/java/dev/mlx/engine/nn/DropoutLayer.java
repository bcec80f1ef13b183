package dev.mlx.engine.nn;

import ai.djl.ndarray.NDArray;
import dev.mlx.api.train.Interval;
import dev.mlx.api.train.OwnedArrays;
import dev.mlx.api.train.Scalars;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Dropout (Srivastava et al., "Dropout: A Simple Way to Prevent Neural Networks from
 * Overfitting", JMLR 2014) as PyTorch's {@code Dropout(p)}: during a training step (see
 * {@link NetworkMode}) {@code y = m * x} with a fresh mask {@code m} whose elements are
 * independently {@code 0} with probability {@code p} and {@code s = 1 / (1 - p)} otherwise;
 * outside training steps {@code y = x}. The masks come from this layer's own
 * {@link SplittableRandom}, seeded when the network is built, so a run is repeatable. The mask is
 * a constant, so input gradients through the layer ({@code m * g}) are differentiable.
 *
 * <p><b>Intervals.</b> Outside training steps the layer is the identity and both passes are exact.
 * During a training step the bounds hold for every possible mask (the mask of the nominal forward
 * pass is not shared with the interval pass): each output is {@code 0} or {@code s x}, so forward
 * {@code [min(0, s l), max(0, s u)]}, and each input cotangent is {@code 0} or {@code s g}, so
 * backward {@code [min(0, s G_L), max(0, s G_U)]}.
 *
 * <p>Exporters read {@link #probability()} (an exported inference graph omits the layer).
 */
public final class DropoutLayer implements Layer {
    private final double probability;
    private final SplittableRandom random;
    private final NetworkMode mode;
    private long draws;

    DropoutLayer(double probability, long seed, NetworkMode mode) {
        this.probability = probability;
        this.random = new SplittableRandom(seed);
        this.mode = mode;
    }

    /** @return how many random numbers this layer's stream has drawn (its position, for checkpoints) */
    public long draws() {
        return draws;
    }

    /**
     * Advances the stream of a freshly built layer to a checkpoint's position, so that a resumed run
     * draws exactly the masks the uninterrupted one would have.
     *
     * @param position the {@link #draws()} recorded in the checkpoint
     * @throws IllegalStateException if this layer has drawn already
     */
    public void skipTo(long position) {
        if (draws != 0) {
            throw new IllegalStateException("the dropout stream has drawn already; restore a fresh network");
        }
        for (long i = 0; i < position; i++) {
            random.nextDouble();
        }
        draws = position;
    }

    /** @return the drop probability {@code p} */
    public double probability() {
        return probability;
    }

    @Override
    public String describe() {
        return "Dropout(" + probability + ")";
    }

    @Override
    public List<Parameter> parameters() {
        return List.of();
    }

    private boolean active() {
        return probability > 0 && mode.training();
    }

    @Override
    public NDArray forward(NDArray x) {
        if (!active()) {
            return x;
        }
        int size = Math.toIntExact(x.size());
        double keep = 1.0 / (1.0 - probability);
        double[] mask = new double[size];
        for (int i = 0; i < size; i++) {
            mask[i] = random.nextDouble() < probability ? 0 : keep;
        }
        draws += size;
        // engine-owned, in the input's type: the product keeps the mask for the backward pass
        return x.mul(OwnedArrays.of(x.getManager(), mask, x.getShape(), x.getDataType()));
    }

    @Override
    public boolean supportsIntervals() {
        return true;
    }

    @Override
    public Interval forwardInterval(Interval input) {
        return active() ? hull(input) : input;
    }

    @Override
    public Interval backwardInterval(Interval outputGradient, Interval input) {
        return active() ? hull(outputGradient) : outputGradient;
    }

    /** The hull of {@code {0, s v}} over the interval: {@code [min(0, s l), max(0, s u)]}. */
    private Interval hull(Interval v) {
        double s = 1.0 / (1.0 - probability);
        return new Interval(Scalars.minimum(Scalars.times(v.lower(), s), 0),
                Scalars.maximum(Scalars.times(v.upper(), s), 0));
    }
}
