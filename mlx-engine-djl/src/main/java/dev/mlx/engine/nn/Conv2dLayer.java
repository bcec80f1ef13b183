package dev.mlx.engine.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import dev.mlx.api.train.Interval;
import dev.mlx.engine.autograd.TorchScriptGradHelper;
import java.util.List;

/**
 * 2-D convolution {@code y = conv(x, W) + b} (square kernel, equal stride and padding in both
 * directions, no dilation, one group; without {@code b} when built with {@code bias = false}).
 * Exporters read the kernel, stride, padding and parameters through the public getters. Intervals use Rump's centre/radius form, exact for a point
 * kernel (reference spec §3.2 and §3.4):
 *
 * <pre>
 * forward   mu'   = conv(mu, W) + b        r'   = conv(r, |W|)
 * backward  mu_G' = convT(mu_G, W)         r_G' = convT(r_G, |W|)
 * </pre>
 *
 * where {@code convT(g, K)} is the transposed convolution that maps a cotangent of the output to
 * the cotangent of the input, {@code J^T g}, with the stored input interval's spatial size (so the
 * "output padding" that a strided convolution needs when {@code (in + 2p - k)} is not a multiple of
 * the stride is implied by that size).
 *
 * <p><b>How {@code convT} is computed.</b> DJL's PyTorch engine does not bind
 * {@code conv_transpose2d}; the engine's {@link TorchScriptGradHelper} runs it as a small TorchScript
 * module. It is a forward operation, differentiable in {@code g} and {@code K}, whose backward pass is a
 * pair of first-order convolutions; it serves both the backward interval pass and the layer's explicit
 * cotangent ({@link #cotangent}), with which the network takes input gradients without a second-order
 * autograd pass. (Before, {@code convT} was {@code d/dx sum(conv(x, K) * g)} at a zero leaf through
 * {@code torch.autograd.grad(create_graph=True)}: an extra convolution, and a backward pass through a
 * convolution's backward.)
 */
public final class Conv2dLayer implements Layer {
    private final String description;
    private final Parameter weight;
    private final Parameter bias;
    private final int strideSize;
    private final int paddingSize;
    private final Shape stride;
    private final Shape padding;
    private final TorchScriptGradHelper gradHelper;

    /**
     * @param description the layer's description
     * @param weight the kernel, shape {@code [out, in, k, k]}
     * @param bias the bias, shape {@code [out]}, or {@code null} for a convolution without bias
     * @param stride the stride
     * @param padding the zero padding
     * @param gradHelper the autograd helper for the transposed convolution
     */
    Conv2dLayer(String description, Parameter weight, Parameter bias, int stride, int padding,
            TorchScriptGradHelper gradHelper) {
        this.description = description;
        this.weight = weight;
        this.bias = bias;
        this.strideSize = stride;
        this.paddingSize = padding;
        this.stride = new Shape(stride, stride);
        this.padding = new Shape(padding, padding);
        this.gradHelper = gradHelper;
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public List<Parameter> parameters() {
        return bias == null ? List.of(weight) : List.of(weight, bias);
    }

    /** @return the kernel parameter, shape {@code [out, in, k, k]} */
    public Parameter weight() {
        return weight;
    }

    /** @return the bias parameter, shape {@code [out]}, or {@code null} if the layer has no bias */
    public Parameter bias() {
        return bias;
    }

    /** @return whether the layer adds a bias */
    public boolean hasBias() {
        return bias != null;
    }

    /** @return the number of input channels */
    public int inChannels() {
        return Math.toIntExact(weight.array().getShape().get(1));
    }

    /** @return the number of output channels */
    public int outChannels() {
        return Math.toIntExact(weight.array().getShape().get(0));
    }

    /** @return the side of the square kernel */
    public int kernel() {
        return Math.toIntExact(weight.array().getShape().get(2));
    }

    /** @return the stride in both directions */
    public int stride() {
        return strideSize;
    }

    /** @return the zero padding on every side */
    public int padding() {
        return paddingSize;
    }

    @Override
    public NDArray forward(NDArray x) {
        return Conv2d.conv2d(x, weight.array(), bias == null ? null : bias.array(), stride, padding)
                .singletonOrThrow();
    }

    /**
     * @param x the input batch
     * @param kernel the kernel (the weight, or a derived kernel such as {@code |W|})
     * @return {@code conv(x, kernel)} without bias, on {@code x}'s manager
     */
    NDArray convolve(NDArray x, NDArray kernel) {
        return Conv2d.conv2d(x, kernel, null, stride, padding).singletonOrThrow();
    }

    @Override
    public boolean supportsIntervals() {
        return true;
    }

    @Override
    public Interval forwardInterval(Interval input) {
        NDArray mu = input.centre();
        NDArray r = input.radius();
        NDArray muOut = forward(mu);
        NDArray rOut = convolve(r, absWeight(r));
        return new Interval(muOut.sub(rOut), muOut.add(rOut));
    }

    @Override
    public Interval backwardInterval(Interval outputGradient, Interval input) {
        Shape inputShape = input.lower().getShape();
        NDArray muG = outputGradient.centre();
        NDArray rG = outputGradient.radius();
        NDArray mu = transposed(muG, weight.array(), inputShape);
        NDArray r = transposed(rG, absWeight(rG), inputShape);
        return new Interval(mu.sub(r), mu.add(r));
    }

    /**
     * The transposed convolution {@code J^T g} of {@code x -> conv(x, kernel)} for inputs of
     * {@code inputShape} ({@code torch.conv_transpose2d}, with the output padding that gives the
     * input's spatial size), differentiable in {@code g} and {@code kernel}.
     *
     * @param g a cotangent of the output, shape {@code [B, out, H', W']}
     * @param kernel the kernel, shape {@code [out, in, k, k]}
     * @param inputShape the input's shape {@code [B, in, H, W]}
     * @return the cotangent of the input, shape {@code inputShape}, on {@code g}'s manager
     */
    NDArray transposed(NDArray g, NDArray kernel, Shape inputShape) {
        Shape out = g.getShape();
        int k = kernel();
        int padH = Math.toIntExact(inputShape.get(2) - ((out.get(2) - 1) * strideSize - 2L * paddingSize + k));
        int padW = Math.toIntExact(inputShape.get(3) - ((out.get(3) - 1) * strideSize - 2L * paddingSize + k));
        return gradHelper.transposedConvolution(g, kernel, strideSize, paddingSize, padH, padW);
    }

    @Override
    public boolean hasExplicitCotangent() {
        return true;
    }

    /** {@code convT(g, W)}. */
    @Override
    public NDArray cotangent(NDArray outputGradient, NDArray input) {
        return transposed(outputGradient, weight.array(), input.getShape());
    }

    /**
     * @param in a window of this layer's input
     * @param outHeight the output's height
     * @param outWidth the output's width
     * @return the window of the outputs whose receptive fields meet {@code in} (the only outputs whose
     *     cotangents reach it)
     */
    Window touched(Window in, long outHeight, long outWidth) {
        return new Window(firstTouching(in.r0()), Math.min(outHeight, lastTouching(in.r1()) + 1),
                firstTouching(in.c0()), Math.min(outWidth, lastTouching(in.c1()) + 1));
    }

    /** @return the first output whose receptive field {@code [q s - p, q s - p + k)} ends at or after {@code a} */
    private long firstTouching(long a) {
        return Math.max(0, -Math.floorDiv(-(a + paddingSize - kernel() + 1), strideSize));
    }

    /** @return the last output whose receptive field starts before {@code b} */
    private long lastTouching(long b) {
        return Math.floorDiv(b - 1 + paddingSize, strideSize);
    }

    /**
     * @param out a window of the output
     * @return the input positions its receptive fields read, in input coordinates without padding
     *     (they may reach outside the input, into the zero padding)
     */
    private Window readBy(Window out) {
        int k = kernel();
        return new Window(out.r0() * strideSize - paddingSize, (out.r1() - 1) * strideSize - paddingSize + k,
                out.c0() * strideSize - paddingSize, (out.c1() - 1) * strideSize - paddingSize + k);
    }

    /**
     * {@link #cotangent} on a window: the cotangent of the input window {@code in} from the output
     * cotangent {@code g} given on the window {@code out = touched(in, ...)} only, exact because no other
     * output reaches {@code in}; a transposed convolution over the window alone, cropped.
     *
     * @param g the output cotangent on {@code out}, {@code [B, O, out rows, out columns]}
     * @param out the output window
     * @param in the input window
     * @return the input cotangent on {@code in}, or {@code null} if {@code in} reaches input positions that no
     *     output covers (then the caller takes the whole input)
     */
    NDArray windowCotangent(NDArray g, Window out, Window in) {
        return windowTransposed(g, weight.array(), out, in);
    }

    /**
     * {@link #backwardInterval} on windows, as {@link #windowCotangent}: {@code convT(mu_G, W)} and
     * {@code convT(r_G, |W|)} over the output window, cropped to the input window.
     *
     * @return the input cotangent interval on {@code in}, or {@code null} as {@link #windowCotangent}
     */
    Interval windowBackwardInterval(Interval outputGradient, Window out, Window in) {
        NDArray mu = windowTransposed(outputGradient.centre(), weight.array(), out, in);
        if (mu == null) {
            return null;
        }
        NDArray rG = outputGradient.radius();
        NDArray r = windowTransposed(rG, absWeight(rG), out, in);
        return new Interval(mu.sub(r), mu.add(r));
    }

    private NDArray windowTransposed(NDArray g, NDArray kernel, Window out, Window in) {
        Window read = readBy(out);
        if (out.r1() <= out.r0() || out.c1() <= out.c0() || in.r0() < read.r0() || in.r1() > read.r1()
                || in.c0() < read.c0() || in.c1() > read.c1()) {
            return null;
        }
        NDArray full = gradHelper.transposedConvolution(g, kernel, strideSize, 0, 0, 0);
        return full.get(new ai.djl.ndarray.index.NDIndex(":, :, {}:{}, {}:{}", in.r0() - read.r0(),
                in.r1() - read.r0(), in.c0() - read.c0(), in.c1() - read.c0()));
    }

    /**
     * The radius {@code conv(r, |W|)} of a forward interval step on the output window {@code out}, for a
     * radius that is zero outside the input window {@code out} was computed from ({@link #touched}): the
     * outputs outside {@code out} do not see it, so their radius is zero.
     *
     * @param r the input radius, {@code [B, C, H, W]}
     * @return the output radius on {@code out}, or {@code null} for an empty window
     */
    NDArray windowRadius(NDArray r, Window out) {
        return windowConvolve(r, absWeight(r), null, out);
    }

    /**
     * @param x the input, {@code [B, C, H, W]}
     * @param out a window of the output
     * @return {@link #forward} on {@code out} only, or {@code null} for an empty window
     */
    NDArray windowForward(NDArray x, Window out) {
        return windowConvolve(x, weight.array(), bias == null ? null : bias.array(), out);
    }

    /**
     * The convolution's outputs on {@code out}: over the input rows and columns that {@code out} reads,
     * with the zero padding at the image's borders made explicit.
     */
    private NDArray windowConvolve(NDArray x, NDArray kernel, NDArray b, Window out) {
        if (out.r1() <= out.r0() || out.c1() <= out.c0()) {
            return null;
        }
        Shape shape = x.getShape();
        Window read = readBy(out);
        long r0 = read.r0();
        long r1 = read.r1();
        long c0 = read.c0();
        long c1 = read.c1();
        NDArray region = x.get(new ai.djl.ndarray.index.NDIndex(":, :, {}:{}, {}:{}", Math.max(0, r0),
                Math.min(shape.get(2), r1), Math.max(0, c0), Math.min(shape.get(3), c1)));
        region = Window.padZeros(region, 2, Math.max(0, -r0), Math.max(0, r1 - shape.get(2)));
        region = Window.padZeros(region, 3, Math.max(0, -c0), Math.max(0, c1 - shape.get(3)));
        return Conv2d.conv2d(region, kernel, b, stride, new Shape(0, 0)).singletonOrThrow();
    }

    /** |W|, created on the manager of {@code like} (the batch's), not on the parameters' manager. */
    private NDArray absWeight(NDArray like) {
        NDArray abs = weight.array().abs();
        abs.attach(like.getManager());
        return abs;
    }
}
