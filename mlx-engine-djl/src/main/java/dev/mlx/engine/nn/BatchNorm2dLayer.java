package dev.mlx.engine.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import dev.mlx.api.error.UnsupportedCapabilityException;
import dev.mlx.api.model.LayerSpec.BatchNormMode;
import dev.mlx.api.train.Interval;
import dev.mlx.api.train.Scalars;
import java.util.List;

/**
 * Batch normalisation over the channels of {@code [N, C, H, W]} inputs (Ioffe and Szegedy, "Batch
 * Normalization", ICML 2015) with PyTorch's {@code BatchNorm2d} semantics, run by libtorch's own
 * {@code batch_norm}:
 *
 * <pre>
 * y = gamma * (x - mean) / sqrt(var + eps) + beta                      (per channel)
 * batch statistics:   mean, var = the batch's mean and biased variance over N, H, W
 *                     running_mean &lt;- (1 - momentum) running_mean + momentum * mean
 *                     running_var  &lt;- (1 - momentum) running_var  + momentum * var * n / (n - 1)
 *                     num_batches_tracked += 1
 * running statistics: mean, var = running_mean, running_var (nothing is updated)
 * </pre>
 *
 * In mode {@link BatchNormMode#TRAIN} the batch statistics are used during training steps (see
 * {@link NetworkMode}) and the running statistics otherwise; in mode {@link BatchNormMode#EVAL}
 * the running statistics are always used, so the layer is the fixed per-channel affine map
 * {@code y = a x + c} with {@code a = gamma / sqrt(running_var + eps)} and
 * {@code c = beta - a * running_mean}.
 *
 * <p><b>Double backprop.</b> Both forms are differentiable twice (libtorch implements the double
 * backward of {@code batch_norm}). With batch statistics, the input gradient of one example also
 * depends on the other examples of the batch through the mean and variance, and every forward
 * pass in a training step updates the running statistics, including the extra passes a
 * regularizer makes (as PyTorch's {@code module.train()} does).
 *
 * <p><b>Intervals.</b> With running statistics the layer is affine, and the centre/radius form is
 * exact: forward {@code mu' = a mu + c, r' = |a| r}; backward {@code mu_G' = a mu_G, r_G' = |a| r_G}.
 * With batch statistics the map couples the examples of a batch and is not bounded here:
 * {@link #supportsIntervals()} is false while a training step runs in mode {@code TRAIN}, and the
 * network refuses interval bounds naming this layer.
 *
 * <p>Exporters read {@link #weight()} ({@code gamma}), {@link #bias()} ({@code beta}),
 * {@link #runningMean()}, {@link #runningVar()}, {@link #eps()} and {@link #momentum()}.
 */
public final class BatchNorm2dLayer implements Layer {
    private final int channels;
    private final double eps;
    private final double momentum;
    private final BatchNormMode mode;
    private final Parameter weight;
    private final Parameter bias;
    private final Parameter runningMean;
    private final Parameter runningVar;
    private final Parameter numBatchesTracked;
    private final NetworkMode networkMode;

    BatchNorm2dLayer(int channels, double eps, double momentum, BatchNormMode mode, Parameter weight, Parameter bias,
            Parameter runningMean, Parameter runningVar, Parameter numBatchesTracked, NetworkMode networkMode) {
        this.channels = channels;
        this.eps = eps;
        this.momentum = momentum;
        this.mode = mode;
        this.weight = weight;
        this.bias = bias;
        this.runningMean = runningMean;
        this.runningVar = runningVar;
        this.numBatchesTracked = numBatchesTracked;
        this.networkMode = networkMode;
    }

    @Override
    public String describe() {
        return "BatchNorm2d(" + channels + ", " + mode.name().toLowerCase(java.util.Locale.ROOT) + ")";
    }

    /** @return the number of channels */
    public int channels() {
        return channels;
    }

    /** @return the variance offset {@code eps} */
    public double eps() {
        return eps;
    }

    /** @return the running-statistics update weight (PyTorch's convention) */
    public double momentum() {
        return momentum;
    }

    /** @return where the statistics come from during training steps */
    public BatchNormMode mode() {
        return mode;
    }

    /** @return {@code gamma}, shape {@code [C]} */
    public Parameter weight() {
        return weight;
    }

    /** @return {@code beta}, shape {@code [C]} */
    public Parameter bias() {
        return bias;
    }

    /** @return the running mean buffer, shape {@code [C]} */
    public Parameter runningMean() {
        return runningMean;
    }

    /** @return the running (unbiased) variance buffer, shape {@code [C]} */
    public Parameter runningVar() {
        return runningVar;
    }

    /** @return the number of batch-statistics updates so far, a scalar */
    public Parameter numBatchesTracked() {
        return numBatchesTracked;
    }

    @Override
    public List<Parameter> parameters() {
        return List.of(weight, bias, runningMean, runningVar, numBatchesTracked);
    }

    /** @return whether the next forward pass normalises with the batch's statistics */
    public boolean usesBatchStatistics() {
        return mode == BatchNormMode.TRAIN && networkMode.training();
    }

    @Override
    public NDArray forward(NDArray x) {
        boolean batchStatistics = usesBatchStatistics();
        // JniUtils names its parameters (input, gamma, beta, mean, var) but passes them to libtorch's
        // batch_norm(input, running_mean, running_var, weight, bias, ...) in order, as DJL's own
        // PtNDArrayEx.batchNorm does
        NDArray y = JniUtils.batchNorm((PtNDArray) x, (PtNDArray) runningMean.array(),
                (PtNDArray) runningVar.array(), (PtNDArray) weight.array(), (PtNDArray) bias.array(), batchStatistics,
                momentum, eps);
        if (batchStatistics) {
            NDArray counter = numBatchesTracked.array();
            try (NDArray one = Scalars.of(counter, 1)) {
                counter.addi(one);
            }
        }
        return y;
    }

    /**
     * @return {@code a = gamma / sqrt(running_var + eps)}, shape {@code [1, C, 1, 1]}, computed on
     *     {@code like}'s manager (differentiable in {@code gamma})
     */
    NDArray scale(NDArray like) {
        NDArray std = Scalars.of(like, eps).add(runningVar.array()).sqrt();
        return local(like, weight.array()).div(std).reshape(1, channels, 1, 1);
    }

    /**
     * @return {@code c = beta - a * running_mean}, shape {@code [1, C, 1, 1]}, on {@code like}'s
     *     manager (differentiable in {@code gamma} and {@code beta})
     */
    NDArray shift(NDArray like, NDArray scale) {
        NDArray mean = local(like, runningMean.array()).reshape(1, channels, 1, 1);
        NDArray beta = local(like, bias.array()).reshape(1, channels, 1, 1);
        return beta.sub(scale.mul(mean));
    }

    /**
     * @return {@code 0 + array} on {@code like}'s manager (an operation's result lives on its
     *     left operand's manager), so nothing derived from a parameter outlives the batch
     */
    private static NDArray local(NDArray like, NDArray array) {
        return Scalars.of(like, 0).add(array);
    }

    @Override
    public boolean supportsIntervals() {
        return !usesBatchStatistics();
    }

    @Override
    public Interval forwardInterval(Interval input) {
        requireRunningStatistics();
        NDArray mu = input.centre();
        NDArray a = scale(mu);
        NDArray muOut = mu.mul(a).add(shift(mu, a));
        NDArray rOut = input.radius().mul(a.abs());
        return new Interval(muOut.sub(rOut), muOut.add(rOut));
    }

    @Override
    public Interval backwardInterval(Interval outputGradient, Interval input) {
        requireRunningStatistics();
        NDArray muG = outputGradient.centre();
        NDArray a = scale(muG);
        NDArray mu = muG.mul(a);
        NDArray r = outputGradient.radius().mul(a.abs());
        return new Interval(mu.sub(r), mu.add(r));
    }

    private void requireRunningStatistics() {
        if (usesBatchStatistics()) {
            throw new UnsupportedCapabilityException("interval bounds through " + describe() + " are not supported"
                    + " while it normalises with batch statistics (a training step in batchnorm mode train); use"
                    + " batchnorm mode eval for interval-bound regularizers");
        }
    }
}
