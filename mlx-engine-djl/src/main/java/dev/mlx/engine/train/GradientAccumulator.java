package dev.mlx.engine.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import dev.mlx.api.error.ErrorKind;
import dev.mlx.api.error.MlxException;
import dev.mlx.api.train.Batch;
import dev.mlx.api.train.Losses;
import dev.mlx.api.train.Regularizer;
import dev.mlx.api.train.Scalars;
import dev.mlx.api.train.TrainingContext;
import dev.mlx.engine.autograd.OneDnnSwitch;
import dev.mlx.engine.nn.Network;
import java.util.SplittableRandom;

/**
 * The parameter gradient of one training step, accumulated over contiguous fragments of the batch
 * so that a batch too large for memory still trains with its full size.
 *
 * <p>A batch of {@code N} examples is cut into {@code K = min(fragments, N)} contiguous fragments
 * {@code F_k} of {@code n_k} examples ({@link #boundaries}). For each fragment, in order, the
 * engine computes the step objective on the fragment alone and back-propagates it with weight
 * {@code n_k / N}:
 *
 * <pre>
 * L_k  = w(ctx_k) * CE_k + P_k          CE_k = mean over F_k of CE, P_k = regularizer.penalty(F_k, ctx_k)
 * grad = sum_k (n_k / N) * dL_k/dtheta  (libtorch accumulates into .grad across the K backward passes)
 * </pre>
 *
 * When the task loss and the penalty are means over examples (as CE and every built-in penalty
 * that is a mean of per-example terms), {@code sum_k (n_k / N) L_k} is the full-batch objective,
 * so {@code grad} is the full-batch gradient up to floating-point rounding; the caller then takes
 * one optimiser step. The reported task loss and penalty are the same weighted sums, i.e. the
 * full-batch values.
 *
 * <p><b>What differs from one pass over the batch.</b> Quantities a method computes over the
 * batch are computed over each fragment instead: a maximum or a normalisation over the batch's
 * examples (e.g. IBP-Ex's mean over masked examples only, the substitution vocabulary that the
 * token regularizers collect from the batch), batch normalisation's batch statistics (and its
 * running statistics, which are updated once per fragment), and the random draws, which come
 * from each fragment's own seed ({@link #fragmentSeed}) and network dropout stream. With
 * {@code fragments = 1} the step is exactly the unfragmented one.
 *
 * <p><b>Memory.</b> Each fragment's batch arrays, temporaries and autograd graph live in their
 * own sub-manager of the step manager and an {@link NDScope}, both closed right after the
 * fragment's backward pass; peak memory is that of one fragment plus the parameters' gradients.
 */
public final class GradientAccumulator {
    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

    private final int fragments;

    /** @param fragments the number of fragments a full batch is cut into, {@code >= 1} */
    public GradientAccumulator(int fragments) {
        if (fragments < 1) {
            throw MlxException.userError("fragments must be >= 1, got " + fragments);
        }
        this.fragments = fragments;
    }

    /** Builds the examples {@code [from, to)} of the current batch on a (fragment-scoped) manager. */
    @FunctionalInterface
    public interface BatchSlicer {
        /**
         * @param from first example of the fragment, within the batch
         * @param to end of the fragment (exclusive)
         * @param manager the fragment's manager, where the arrays must be created
         * @return the fragment's batch
         */
        Batch slice(int from, int to, NDManager manager);
    }

    /**
     * What one step measured, as full-batch values (weighted by {@code n_k / N}).
     *
     * @param taskLoss the task loss (mean cross-entropy)
     * @param penalty the penalty
     * @param correct training examples classified correctly
     * @param fragments the number of fragments the batch was cut into
     */
    public record StepResult(double taskLoss, double penalty, long correct, int fragments) {
        /** @return whether both losses are finite */
        public boolean finite() {
            return Double.isFinite(taskLoss) && Double.isFinite(penalty);
        }
    }

    /**
     * Contiguous, near-equal fragments: fragment {@code k} is {@code [b[k], b[k+1])} with
     * {@code b[k] = floor(k * N / K)} and {@code K = min(fragments, N)}, so every fragment holds
     * {@code floor(N/K)} or {@code ceil(N/K)} examples.
     *
     * @param examples the batch size {@code N >= 1}
     * @param fragments the requested number of fragments {@code >= 1}
     * @return the {@code K + 1} boundaries, from 0 to {@code N}
     */
    public static int[] boundaries(int examples, int fragments) {
        int k = Math.min(fragments, examples);
        int[] b = new int[k + 1];
        for (int i = 0; i <= k; i++) {
            b[i] = (int) ((long) i * examples / k);
        }
        return b;
    }

    /**
     * The seed a fragment's regularizer receives: the step's seed for fragment 0 (so
     * {@code fragments = 1} draws exactly what an unfragmented step draws), and for fragment
     * {@code k > 0} the first output of a {@link SplittableRandom} seeded with
     * {@code stepSeed + k * 0x9E3779B97F4A7C15} (distinct, well mixed, deterministic).
     *
     * @param stepSeed the step's seed
     * @param index the fragment index
     * @return the fragment's seed
     */
    public static long fragmentSeed(long stepSeed, int index) {
        return index == 0 ? stepSeed : new SplittableRandom(stepSeed + index * GOLDEN_GAMMA).nextLong();
    }

    /**
     * Accumulates the step's parameter gradient into the parameters' {@code .grad} (which the
     * caller zeroes, e.g. through the optimiser step). Stops at the first fragment whose task loss
     * or penalty is not finite, without back-propagating it, and returns that non-finite value.
     * Reads the losses back to the host after every fragment; the trainer uses
     * {@link #accumulate(Network, Regularizer, int, BatchSlicer, TrainingContext, EpochTotals)},
     * which does not.
     *
     * @param network the network being trained
     * @param regularizer the penalty
     * @param examples the batch size {@code N}
     * @param slicer builds a fragment's batch
     * @param step the step's context; each fragment gets a copy with its own seed and manager
     * @return the full-batch losses and the number of correct predictions
     */
    public StepResult accumulate(Network network, Regularizer regularizer, int examples, BatchSlicer slicer,
            TrainingContext step) {
        double[] sums = new double[2];
        long[] correct = new long[1];
        int k = run(network, regularizer, examples, slicer, step, (taskLoss, penaltyTerm, right, weight) -> {
            double t = scalar(taskLoss);
            double p = scalar(penaltyTerm);
            if (!Double.isFinite(t) || !Double.isFinite(p)) {
                sums[0] = t;
                sums[1] = p;
                return false;
            }
            sums[0] += weight * t;
            sums[1] += weight * p;
            correct[0] += right.getLong();
            return true;
        });
        return new StepResult(sums[0], sums[1], correct[0], k);
    }

    /**
     * As {@link #accumulate(Network, Regularizer, int, BatchSlicer, TrainingContext)}, but the
     * losses and correct predictions are added to {@code totals} on the device and nothing is read
     * back: the step never waits for the host. A non-finite loss is back-propagated like any other
     * and shows in the totals when they are read.
     */
    void accumulate(Network network, Regularizer regularizer, int examples, BatchSlicer slicer, TrainingContext step,
            EpochTotals totals) {
        run(network, regularizer, examples, slicer, step, (taskLoss, penaltyTerm, right, weight) -> {
            checkScalar(penaltyTerm);
            totals.add(taskLoss, penaltyTerm, right, weight);
            return true;
        });
        totals.stepDone();
    }

    /** What a step does with one fragment's values before its backward pass. */
    @FunctionalInterface
    private interface FragmentSink {
        /** @return false to stop the step before this fragment's backward pass */
        boolean accept(NDArray taskLoss, NDArray penaltyTerm, NDArray correct, double weight);
    }

    private int run(Network network, Regularizer regularizer, int examples, BatchSlicer slicer, TrainingContext step,
            FragmentSink sink) {
        int[] b = boundaries(examples, fragments);
        int k = b.length - 1;
        try (GradientCollector collector = network.manager().getEngine().newGradientCollector()) {
            for (int f = 0; f < k; f++) {
                double weight = k == 1 ? 1.0 : (double) (b[f + 1] - b[f]) / examples;
                try (NDScope scope = new NDScope(); NDManager fragment = step.manager().newSubManager();
                        Network.SharingScope sharing = network.shareForward()) {
                    scope.suppressNotUsedWarning(); // DJL's idiom: the scope frees the fragment's temporaries on close
                    Batch batch = slicer.slice(b[f], b[f + 1], fragment);
                    TrainingContext context = new TrainingContext(step.epoch(), step.epochs(), step.step(),
                            step.numClasses(), fragmentSeed(step.seed(), f), fragment);
                    NDArray logits = network.logits(batch.inputs());
                    NDArray taskLoss = Losses.perSampleCrossEntropy(logits, batch.labels()).mean();
                    NDArray penaltyTerm = regularizer.penalty(network, batch, context);
                    NDArray right = logits.argMax(1).eq(batch.labels()).countNonzero();
                    if (!sink.accept(taskLoss, penaltyTerm, right, weight)) {
                        return k;
                    }
                    NDArray loss = Scalars.times(taskLoss, regularizer.taskLossWeight(context)).add(penaltyTerm);
                    // weight 1 is left out so that an unfragmented step is bit-identical to one without accumulation
                    try (OneDnnSwitch.Restore restore = OneDnnSwitch.beforeParameterBackward()) {
                        collector.backward(k == 1 ? loss : Scalars.times(loss, weight));
                    }
                }
            }
        }
        return k;
    }

    /** Reads a scalar of any floating type (a plugin's penalty may be float64). */
    private static double scalar(NDArray value) {
        checkScalar(value);
        return value.toType(DataType.FLOAT64, false).getDouble();
    }

    private static void checkScalar(NDArray value) {
        if (value.getShape().size() != 1) {
            throw new MlxException(ErrorKind.INTERNAL, "the regularizer returned an array of shape " + value.getShape()
                    + " where a scalar is required");
        }
    }
}
