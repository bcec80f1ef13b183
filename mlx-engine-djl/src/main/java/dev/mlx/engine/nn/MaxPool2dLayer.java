package dev.mlx.engine.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.pooling.Pool;
import dev.mlx.api.train.Interval;
import dev.mlx.api.train.OwnedArrays;
import dev.mlx.api.train.Scalars;
import dev.mlx.engine.autograd.GradMode;
import dev.mlx.engine.autograd.TorchScriptGradHelper;
import java.util.List;

/**
 * 2-D max pooling with a square window, as PyTorch's {@code MaxPool2d(kernel, stride, padding)}
 * (implicit {@code -infinity} padding, floor mode): {@code y[n, c, o] = max} of window {@code W(o)}
 * starting at {@code (i s - p, j s - p)}. Its derivative routes each output cotangent to the
 * window's maximum; libtorch differentiates that routing again, so input gradients through it
 * are differentiable with respect to the parameters (double backprop).
 *
 * <p><b>Intervals.</b> The maximum is monotone in every argument, so the forward interval
 * {@code [maxpool(l), maxpool(u)]} is sound. Backward, the input cotangent is
 * {@code g_x[i] = sum over windows o containing i of g_o * 1[i is the argmax of W(o)]}. Over the box,
 * position {@code i} <em>can</em> be the argmax of {@code W(o)} only if {@code u_i >= max_{j in W(o)} l_j},
 * and <em>is</em> it for every input of the box if {@code l_i > max_{j in W(o), j != i} u_j}. Each term
 * therefore lies in {@code [G_L, G_U]} (certain), in {@code [min(G_L, 0), max(G_U, 0)]} (possible) or is
 * {@code 0} (impossible), and the sum of these intervals over the windows bounds {@code g_x[i]}; ties
 * make no position certain, so PyTorch's tie-breaking is covered. Padding positions are never
 * possible. The windows are unfolded with a bank of one-hot {@code k x k} kernels (a convolution
 * per offset) and folded back with its transposed convolution (libtorch's autograd, as in
 * {@link Conv2dLayer}), so the bound stays differentiable with respect to {@code G}.
 *
 * <p>Exporters read {@link #kernel()}, {@link #stride()} and {@link #padding()}.
 */
public final class MaxPool2dLayer implements Layer {
    /** Stands in for minus infinity at padding positions (finite, so that 0 * it stays 0). */
    private static final double FAR = 1e30;

    private final int kernel;
    private final int stride;
    private final int padding;
    private final TorchScriptGradHelper gradHelper;

    MaxPool2dLayer(int kernel, int stride, int padding, TorchScriptGradHelper gradHelper) {
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
        this.gradHelper = gradHelper;
    }

    /** @return the side of the window */
    public int kernel() {
        return kernel;
    }

    /** @return the stride in both directions */
    public int stride() {
        return stride;
    }

    /** @return the implicit padding on every side */
    public int padding() {
        return padding;
    }

    @Override
    public String describe() {
        return "MaxPool2d(k=" + kernel + ", s=" + stride + ", p=" + padding + ")";
    }

    @Override
    public List<Parameter> parameters() {
        return List.of();
    }

    @Override
    public NDArray forward(NDArray x) {
        return Pool.maxPool2d(x, new Shape(kernel, kernel), new Shape(stride, stride), new Shape(padding, padding),
                false);
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
        Shape in = input.lower().getShape();
        long b = in.get(0);
        long c = in.get(1);
        Shape planes = new Shape(b * c, 1, in.get(2), in.get(3));
        NDArray l = input.lower().stopGradient().reshape(planes);
        NDArray u = input.upper().stopGradient().reshape(planes);
        NDManager manager = l.getManager();
        NDArray bank = oneHotKernels(manager, l.getDataType());
        // [BC, k*k, OH, OW]: the window member at each offset; padding positions far below everything
        NDArray valid = unfold(manager.ones(new Shape(1, 1, in.get(2), in.get(3)), l.getDataType()), bank);
        NDArray invalid = Scalars.times(valid.neg().add(Scalars.of(valid, 1)), FAR);
        NDArray lw = unfold(l, bank).sub(invalid);
        NDArray uw = unfold(u, bank).sub(invalid);
        int offsets = kernel * kernel;
        NDArray floor = lw.max(new int[] {1}, true); // max_j l_j over the window
        NDArray top = uw.max(new int[] {1}, true);
        NDArray first = uw.argMax(1).oneHot(offsets, uw.getDataType()).transpose(0, 3, 1, 2);
        NDArray second = uw.sub(Scalars.times(first, 4 * FAR)).max(new int[] {1}, true);
        // max of the other members' upper bounds: the runner-up at the top position, the top elsewhere
        NDArray others = first.mul(second).add(first.neg().add(Scalars.of(first, 1)).mul(top));
        NDArray certain = lw.gt(others).toType(lw.getDataType(), false).mul(valid);
        NDArray possible = uw.gte(floor).toType(lw.getDataType(), false).mul(valid);
        NDArray maybe = possible.sub(certain);
        Shape outPlanes = new Shape(b * c, 1, lw.getShape().get(2), lw.getShape().get(3));
        NDArray gl = outputGradient.lower().reshape(outPlanes);
        NDArray gu = outputGradient.upper().reshape(outPlanes);
        NDArray lower = certain.mul(gl).add(maybe.mul(Scalars.minimum(gl, 0)));
        NDArray upper = certain.mul(gu).add(maybe.mul(Scalars.maximum(gu, 0)));
        return new Interval(fold(lower, bank, planes).reshape(in), fold(upper, bank, planes).reshape(in));
    }

    /** {@code k*k} one-hot kernels, shape {@code [k*k, 1, k, k]}: kernel {@code t} picks window offset {@code t}. */
    private NDArray oneHotKernels(NDManager manager, DataType type) {
        int offsets = kernel * kernel;
        float[] data = new float[offsets * offsets];
        for (int t = 0; t < offsets; t++) {
            data[t * offsets + t] = 1;
        }
        return OwnedArrays.of(manager, data, new Shape(offsets, 1, kernel, kernel), type);
    }

    /** {@code [N, 1, H, W]} to its windows {@code [N, k*k, OH, OW]} (zero padding). */
    private NDArray unfold(NDArray planes, NDArray bank) {
        return Conv2d.conv2d(planes, bank, null, new Shape(stride, stride), new Shape(padding, padding))
                .singletonOrThrow();
    }

    /**
     * The transposed {@link #unfold}: adds each window member's value back at its input position,
     * {@code d/dx sum(unfold(x) * v)} at a zero leaf (create_graph, so differentiable in {@code v}).
     */
    private NDArray fold(NDArray v, NDArray bank, Shape planes) {
        return GradMode.on(() -> {
            NDArray leaf = v.getManager().zeros(planes, v.getDataType());
            leaf.setRequiresGradient(true);
            return gradHelper.gradient(unfold(leaf, bank).mul(v), leaf);
        });
    }
}
