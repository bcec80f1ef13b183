package dev.mlx.engine.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.nn.core.Linear;
import dev.mlx.api.train.FeatureColumns;
import dev.mlx.api.train.Interval;
import dev.mlx.engine.autograd.IndexSelect;
import java.util.List;

/**
 * {@code y = x W^T + b}. Intervals use Rump's centre/radius form, exact for a point weight:
 * forward {@code mu' = mu W^T + b, r' = r |W|^T}; backward {@code mu_G' = mu_G W, r_G' = r_G |W|};
 * products with few outputs take the equal sign-split form ({@link #signSplitProduct}).
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
    public boolean hasExplicitCotangent() {
        return true;
    }

    /** {@code g W}. */
    @Override
    public NDArray cotangent(NDArray outputGradient, NDArray input) {
        return outputGradient.matMul(weight.array());
    }

    /**
     * {@code g W[:, c]}: the cotangent of the columns {@code c} of the input only.
     *
     * @param outputGradient the cotangent of the output, {@code [B, out]}
     * @param columns int64 column indices, {@code [K]}
     * @return {@code [B, K]}
     */
    NDArray columnCotangent(NDArray outputGradient, NDArray columns) {
        return outputGradient.matMul(weightColumns(columns, outputGradient));
    }

    @Override
    public boolean supportsIntervals() {
        return true;
    }

    @Override
    public Interval forwardInterval(Interval input) {
        if (out <= SIGN_SPLIT_MAX) {
            NDArray lower = input.lower();
            NDArray transposed = weight.array().transpose();
            transposed.attach(lower.getManager());
            Interval z = signSplitProduct(lower, input.upper(), transposed);
            return new Interval(z.lower().add(bias.array()), z.upper().add(bias.array()));
        }
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

    /**
     * {@link #forwardInterval} for an input whose radius is zero outside {@code columns} (the
     * features a masked box lets move, found by {@link Network}): the radius product runs over
     * those columns only, {@code r' = r[:, c] |W[:, c]|^T}. Equal to the dense form up to the
     * order of float summation; {@code B x in x out} becomes {@code B x |c| x out}.
     *
     * @param input an interval over the inputs, shape {@code [B, in]}
     * @param columns int64 indices of the input features whose radius may be non-zero, shape {@code [K]}
     * @param centreOutput {@code centre W^T + b} if the caller has it (the forward pass on the box's
     *     exact centre), else {@code null}
     * @return the interval over the outputs
     */
    Interval forwardInterval(Interval input, NDArray columns, NDArray centreOutput) {
        return forwardInterval(input, columns, centreOutput, null);
    }

    /**
     * {@link #forwardInterval(Interval, NDArray, NDArray)} with the radius on the columns given
     * ({@code [B, K]}), or {@code null} to take it from {@code input}.
     */
    Interval forwardInterval(Interval input, NDArray columns, NDArray centreOutput, NDArray radiusColumns) {
        NDArray r = radiusColumns != null ? radiusColumns : IndexSelect.columns(input.radius(), columns);
        NDArray muOut = centreOutput != null ? centreOutput
                : Linear.linear(input.centre(), weight.array(), bias.array()).singletonOrThrow();
        NDArray rOut = Linear.linear(r, weightColumns(columns, r).abs()).singletonOrThrow();
        return new Interval(muOut.sub(rOut), muOut.add(rOut));
    }

    /**
     * {@link #forwardInterval} for a box that differs from a nominal input (whose output the caller
     * has) only on {@code columns}: centre {@code y_n + (mu[:, c] - x_n[:, c]) W[:, c]^T}, radius
     * {@code r[:, c] |W[:, c]|^T}, with {@code W[:, c]} gathered once by the caller
     * ({@link #weightColumns}; {@link Network} hands the same gather to the backward interval step). On
     * a convolutional network's linear layer after the flatten, inside a training step whose forward
     * pass gave {@code x_n} and {@code y_n}, this replaces a second product with all of {@code W} (and
     * its weight gradient) by products with the window's columns.
     *
     * @param inputColumns the box on the columns, {@code [B, K]}; equal to the nominal input elsewhere
     * @param nominalColumns the nominal input on the columns, {@code [B, K]}
     * @param nominalOutput the nominal output {@code x_n W^T + b}, {@code [B, out]}
     * @param w {@code W[:, c]}, {@code [out, K]}
     * @return the interval over the outputs
     */
    Interval forwardIntervalAround(Interval inputColumns, NDArray nominalColumns, NDArray nominalOutput, NDArray w) {
        NDArray mu = nominalOutput.add(Linear.linear(inputColumns.centre().sub(nominalColumns), w).singletonOrThrow());
        NDArray r = Linear.linear(inputColumns.radius(), w.abs()).singletonOrThrow();
        return new Interval(mu.sub(r), mu.add(r));
    }

    /**
     * {@link #backwardInterval} computed for the input features {@code columns} only, zero on every
     * other feature: {@code mu_G W[:, c]} and {@code r_G |W[:, c]|}, scattered into {@code [B, in]}.
     * Only sound where it is multiplied by a mask that is zero outside {@code columns}.
     *
     * @param outputGradient an interval over the cotangent of the output, shape {@code [B, out]}
     * @param columns int64 indices of the input features to bound, shape {@code [K]}
     * @return the bounds on those features, zeros elsewhere, shape {@code [B, in]}
     */
    Interval backwardInterval(Interval outputGradient, NDArray columns) {
        Interval compact = compactBackwardInterval(outputGradient, columns);
        return new Interval(scatter(compact.lower(), columns), scatter(compact.upper(), columns));
    }

    /**
     * {@link #backwardInterval(Interval, NDArray)} before the scatter: the bounds on the input features
     * {@code columns} only, {@code [B, K]}.
     */
    Interval compactBackwardInterval(Interval outputGradient, NDArray columns) {
        return compactBackwardInterval(outputGradient, columns, weightColumns(columns, outputGradient.lower()));
    }

    /** As above, with {@code W[:, columns]} given (from {@link #weightColumns}). */
    Interval compactBackwardInterval(Interval outputGradient, NDArray columns, NDArray w) {
        if (columns.getShape().get(0) <= SIGN_SPLIT_MAX) {
            return signSplitProduct(outputGradient.lower(), outputGradient.upper(), w);
        }
        NDArray mu = outputGradient.centre().matMul(w);
        NDArray r = outputGradient.radius().matMul(w.abs());
        return new Interval(mu.sub(r), mu.add(r));
    }

    /**
     * Interval products with at most this many outputs take the sign-split form
     * ({@link #signSplitProduct}): two products of {@code 2k} columns cost less than the element-wise
     * passes of the centre/radius form over the {@code [B, n]} bounds (centre, radius, and their
     * gradients) when {@code k} is this small (Cert-R4 on the MLP: the logits' 10, the mask's 16 columns).
     */
    static final int SIGN_SPLIT_MAX = 64;

    /**
     * {@code [l, u] M} for a point matrix {@code M} ({@code [n, k]}, on the bounds' manager): lower
     * {@code l M+ + u M-}, upper {@code u M+ + l M-} with {@code M+ = relu(M)}, {@code M- = M - M+},
     * from one product of each bound with {@code [M+, M-]}. The same interval as the centre/radius form
     * {@code (mu M - r |M|, mu M + r |M|)} up to float rounding, with no element-wise pass over the
     * bounds.
     *
     * @param lower the lower bounds, {@code [B, n]}
     * @param upper the upper bounds, {@code [B, n]}
     * @param m the matrix, {@code [n, k]}
     * @return the interval of the products, {@code [B, k]}
     */
    static Interval signSplitProduct(NDArray lower, NDArray upper, NDArray m) {
        NDArray plus = ai.djl.nn.Activation.relu(m);
        NDArray both = ai.djl.ndarray.NDArrays.concat(new ai.djl.ndarray.NDList(plus, m.sub(plus)), 1);
        long k = m.getShape().get(1);
        NDArray l = lower.matMul(both);
        NDArray u = upper.matMul(both);
        NDIndex positive = new NDIndex(":, 0:{}", k);
        NDIndex negative = new NDIndex(":, {}:", k);
        return new Interval(l.get(positive).add(u.get(negative)), u.get(positive).add(l.get(negative)));
    }

    /** {@code W[:, columns]}, created on the manager of {@code like} (the batch's). */
    NDArray weightColumns(NDArray columns, NDArray like) {
        // an unnamed view on the batch's manager, so the selection lands there too (not on the parameters')
        NDArray w = weight.array().reshape(weight.array().getShape());
        w.attach(like.getManager());
        return IndexSelect.columns(w, columns);
    }

    /**
     * The forward pass with the columns {@code columns} of the input taken from {@code z} (a leaf
     * the caller differentiates with respect to): {@code x_rest W^T + b + z W[:, c]^T}, where
     * {@code x_rest} is {@code x} with those columns zeroed. Equal to {@code forward(x)} when
     * {@code z = x[:, c]}, up to the order of float summation. With {@code copies > 1} the inputs
     * are {@code copies} blocks of {@code B} rows that differ only in the columns {@code c}, so
     * {@code x_rest W^T + b} is computed once, on the first block, and repeated.
     *
     * @param x the inputs, shape {@code [copies * B, in]} (only the first block is read)
     * @param z the values of the columns for every row, shape {@code [copies * B, K]}
     * @param columns int64 column indices, shape {@code [K]}
     * @param copies the number of blocks
     * @return the outputs, shape {@code [copies * B, out]}
     */
    NDArray forwardSplit(NDArray x, NDArray z, NDArray columns, int copies) {
        NDArray block = copies == 1 ? x : x.get(new NDIndex("0:{}", x.getShape().get(0) / copies));
        NDArray rest = restProduct(block, columns);
        if (copies > 1) {
            rest = rest.tile(new long[] {copies, 1});
        }
        return rest.add(columnProduct(z, columns));
    }

    /**
     * @param x the inputs, {@code [B, in]}
     * @param columns int64 column indices, {@code [K]}
     * @return {@code x_rest W^T + b}, {@code x_rest} being {@code x} with the columns zeroed
     */
    NDArray restProduct(NDArray x, NDArray columns) {
        return Linear.linear(new FeatureColumns(columns, in).clear(x), weight.array(), bias.array())
                .singletonOrThrow();
    }

    /** @return {@code z W[:, c]^T} for the values {@code z} ({@code [B, K]}) of the columns {@code c} */
    NDArray columnProduct(NDArray z, NDArray columns) {
        return Linear.linear(z, weightColumns(columns, z)).singletonOrThrow();
    }

    /** {@code compact [B, K]} written into the columns {@code columns} of a zero {@code [B, in]} array. */
    NDArray scatter(NDArray compact, NDArray columns) {
        return new FeatureColumns(columns, in).scatter(compact);
    }
}
