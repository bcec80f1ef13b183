package dev.mlx.engine.train;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import dev.mlx.api.error.ErrorKind;
import dev.mlx.api.error.MlxException;
import dev.mlx.api.data.DataSplit;
import dev.mlx.api.metric.GroupAccuracy;
import dev.mlx.api.train.Regularizer;
import dev.mlx.api.train.TrainingContext;
import dev.mlx.engine.data.Batches;
import dev.mlx.engine.data.ResidentSplit;
import dev.mlx.engine.eval.GroupEvaluator;
import dev.mlx.engine.nn.Network;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The training loop: mini-batch Adam on {@code w * CE(logits, y) + penalty}, where CE is the
 * batch-mean single-softmax cross-entropy on logits and the penalty comes from a
 * {@link Regularizer}.
 *
 * <p>Each step's gradient is computed by a {@link GradientAccumulator}: in one pass over the batch,
 * or, with {@link TrainingConfig#fragments()} {@code > 1}, summed over contiguous fragments of the
 * batch (each fragment's loss weighted by its share of the examples) before the one Adam step, so a
 * batch that does not fit in memory still trains; see that class for what is computed per fragment.
 *
 * <p>Every step runs inside a {@link StepScope}: an {@link NDScope}, a batch sub-manager and the
 * network's training mode (every fragment inside its own nested scope and sub-manager), so
 * everything the step allocates (including arrays derived from the parameters) is freed when it
 * ends: resident memory does not grow with the number of steps. Shuffling is a seeded Fisher-Yates
 * permutation per epoch; with one intra-op thread on the CPU a run is bit-for-bit repeatable.
 */
public final class Trainer {
    /** How often (in steps) the device-side losses are read back to check that training has not diverged. */
    static final int CHECK_EVERY = 25;

    private final TrainingConfig config;
    private final boolean residentData;

    /** @param config the optimisation settings */
    public Trainer(TrainingConfig config) {
        this(config, true);
    }

    /**
     * @param config the settings
     * @param residentData whether the training split is uploaded to the device once and batches are
     *     gathered there ({@link ResidentSplit}; the default), or copied from Java memory every step
     *     (bit-identical results; for comparison and for splits too large for the device)
     */
    public Trainer(TrainingConfig config, boolean residentData) {
        this.residentData = residentData;
        this.config = config;
    }

    /**
     * Trains {@code network} in place.
     *
     * @param network the network (its parameters are updated)
     * @param train the training split
     * @param test the split evaluated after every epoch, or {@code null}
     * @param regularizer the penalty
     * @param listener progress callbacks
     * @return one {@link EpochMetrics} per epoch
     */
    public List<EpochMetrics> train(Network network, DataSplit train, DataSplit test, Regularizer regularizer,
            TrainingListener listener) {
        return train(network, train, test, regularizer, listener, null, null);
    }

    /**
     * Trains {@code network} in place, continuing from a checkpoint and writing one after every epoch.
     *
     * <p>To continue, build the network from {@code resume.weights()} (same architecture and seed), then
     * call this: it restores Adam's moments and step, advances every dropout stream, replays the shuffling
     * and per-step seed streams to the end of epoch {@code resume.epochsDone()} and runs the remaining
     * epochs, so the result equals an uninterrupted run's bit for bit.
     *
     * @param network the network (its parameters are updated)
     * @param train the training split
     * @param test the split evaluated after every epoch, or {@code null}
     * @param regularizer the penalty
     * @param listener progress callbacks
     * @param resume the state to continue from, or {@code null} to start
     * @param checkpoint receives the state after every epoch, or {@code null}
     * @return one {@link EpochMetrics} per epoch, the resumed ones included
     */
    public List<EpochMetrics> train(Network network, DataSplit train, DataSplit test, Regularizer regularizer,
            TrainingListener listener, TrainingState resume, java.util.function.Consumer<TrainingState> checkpoint) {
        NDManager parent = network.manager();
        parent.getEngine().setRandomSeed((int) config.seed());
        Adam adam = new Adam(network.trainableParameters(), config.learningRate(), config.weightDecay());
        GradientAccumulator accumulator = new GradientAccumulator(config.fragments());
        // evaluation holds no autograd graph; with fragments it is cut by the same factor
        GroupEvaluator evaluator =
                new GroupEvaluator(Math.max(1, Math.max(config.batchSize(), 1000) / config.fragments()));
        SplittableRandom shuffle = new SplittableRandom(config.seed());
        SplittableRandom stepSeeds = new SplittableRandom(config.seed() ^ 0x5DEECE66DL);
        int n = train.size();
        int steps = (n + config.batchSize() - 1) / config.batchSize();
        List<EpochMetrics> history = new ArrayList<>();
        long globalStep = 0;
        int firstEpoch = 0;
        if (resume != null) {
            if (resume.epochsDone() > config.epochs() || resume.globalStep() != (long) resume.epochsDone() * steps) {
                throw new MlxException(ErrorKind.USER, "the checkpoint (" + resume.epochsDone() + " epochs, "
                        + resume.globalStep() + " steps) does not belong to this run (" + config.epochs() + " epochs of "
                        + steps + " steps)");
            }
            adam.restore(resume.adam());
            List<dev.mlx.engine.nn.DropoutLayer> dropout = network.dropoutLayers();
            if (dropout.size() != resume.dropoutDraws().length) {
                throw new MlxException(ErrorKind.USER, "the checkpoint has " + resume.dropoutDraws().length
                        + " dropout streams, the network " + dropout.size());
            }
            for (int i = 0; i < dropout.size(); i++) {
                dropout.get(i).skipTo(resume.dropoutDraws()[i]);
            }
            for (int e = 0; e < resume.epochsDone(); e++) {
                permutation(n, shuffle);
            }
            for (long s = 0; s < resume.globalStep(); s++) {
                stepSeeds.nextLong();
            }
            globalStep = resume.globalStep();
            firstEpoch = resume.epochsDone();
            history.addAll(resume.history());
        }
        try (ResidentSplit resident = residentData && ResidentSplit.fits(train) ? ResidentSplit.upload(train, parent)
                : null) {
            trainEpochs(network, train, test, regularizer, listener, checkpoint, adam, accumulator, evaluator, shuffle,
                    stepSeeds, steps, globalStep, firstEpoch, history, resident);
        }
        return history;
    }

    @SuppressWarnings("checkstyle:ParameterNumber")
    private void trainEpochs(Network network, DataSplit train, DataSplit test, Regularizer regularizer,
            TrainingListener listener, java.util.function.Consumer<TrainingState> checkpoint, Adam adam,
            GradientAccumulator accumulator, GroupEvaluator evaluator, SplittableRandom shuffle,
            SplittableRandom stepSeeds, int steps, long firstGlobalStep, int firstEpoch, List<EpochMetrics> history,
            ResidentSplit resident) {
        NDManager parent = network.manager();
        int n = train.size();
        long globalStep = firstGlobalStep;
        for (int epoch = firstEpoch; epoch < config.epochs(); epoch++) {
            int[] order = permutation(n, shuffle);
            long t0 = System.nanoTime();
            EpochTotals.Sums sums;
            try (NDManager epochManager = parent.newSubManager()) {
                EpochTotals totals = new EpochTotals(epochManager);
                for (int s = 0; s < steps; s++) {
                    int from = s * config.batchSize();
                    int to = Math.min(n, from + config.batchSize());
                    try (StepScope step = StepScope.open(network, parent)) {
                        TrainingContext context = new TrainingContext(epoch, config.epochs(), globalStep,
                                train.numClasses(), stepSeeds.nextLong(), step.manager());
                        accumulator.accumulate(network, regularizer, to - from,
                                (a, b, manager) -> resident != null ? resident.slice(order, from + a, from + b, manager)
                                        : Batches.slice(train, order, from + a, from + b, manager), context, totals);
                        if ((s + 1) % CHECK_EVERY == 0) {
                            checkFinite(totals.read(), epoch, s);
                        }
                        adam.step();
                        listener.onStep(epoch + 1, s + 1, steps, () -> totals.read().meanLoss());
                    }
                    globalStep++;
                }
                sums = totals.read();
                checkFinite(sums, epoch, steps - 1);
            }
            double taskSum = sums.task();
            double penaltySum = sums.penalty();
            long correct = sums.correct();
            double seconds = (System.nanoTime() - t0) / 1e9;
            GroupAccuracy testAccuracy = test == null ? null : evaluator.evaluate(network, test, parent);
            EpochMetrics metrics = new EpochMetrics(epoch + 1, taskSum / steps, penaltySum / steps,
                    (double) correct / n, seconds, n, testAccuracy);
            history.add(metrics);
            if (checkpoint != null) {
                long[] draws = network.dropoutLayers().stream().mapToLong(dev.mlx.engine.nn.DropoutLayer::draws).toArray();
                checkpoint.accept(new TrainingState(epoch + 1, globalStep, dev.mlx.engine.io.Checkpoints.snapshot(network),
                        adam.moments(), draws, history));
            }
            listener.onEpoch(metrics);
        }
    }

    /**
     * Stops training when the epoch's losses so far are not finite. The losses stay on the device
     * during an epoch, so they are checked every {@link #CHECK_EVERY} steps and at its end, before
     * the epoch's checkpoint is written: a divergence is reported at most that many steps late and
     * never saved.
     */
    private static void checkFinite(EpochTotals.Sums sums, int epoch, int step) {
        if (!sums.finite()) {
            throw new MlxException(ErrorKind.USER, "training diverged in epoch " + (epoch + 1) + " (by step " + (step + 1)
                    + "; losses are checked every " + CHECK_EVERY + " steps): task loss sum " + sums.task()
                    + ", penalty sum " + sums.penalty() + ". Lower the learning rate or the regularizer weight.");
        }
    }

    private static int[] permutation(int n, SplittableRandom random) {
        int[] order = Batches.range(n);
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int tmp = order[i];
            order[i] = order[j];
            order[j] = tmp;
        }
        return order;
    }
}
