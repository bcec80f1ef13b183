package dev.mlx.engine.attribution;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import dev.mlx.api.attribution.AttributionMethod;
import dev.mlx.api.attribution.AttributionProvider;
import dev.mlx.api.param.HyperParameters;
import dev.mlx.api.param.ParameterSchema;
import dev.mlx.api.train.Scalars;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code smoothgrad}: SmoothGrad (Smilkov, Thorat, Kim, Viégas and Wattenberg, "SmoothGrad: removing
 * noise by adding noise", 2017), the input gradient averaged over Gaussian-noised copies of the input:
 *
 * <pre>
 * A(x)    = (1/n) sum_{s=1..n} dF/dx (x + e_s),    e_s ~ N(0, sigma_b^2 I)
 * sigma_b = sigma * (max_i x_b,i - min_i x_b,i)      (the noise level as a fraction of the example's range)
 * </pre>
 *
 * with {@code F} the {@link AttributionTarget}. Parameters: {@code samples} {@code n} (default 50,
 * the paper's), {@code sigma} (default 0.15; the paper finds 10-20 % best), {@code target},
 * {@code internal-batch-size} (rows, i.e. examples times noisy copies, per forward pass; see
 * {@link RowChunks}; the result does not depend on it). The noise of example {@code b} comes from
 * {@code SplittableRandom(seed + b)} ({@link RowStreams}). For a linear model and
 * {@code target=logit} every noisy gradient is {@code W[y]}, so {@code A(x) = W[y]} exactly.
 *
 * <p>Differentiable with respect to the parameters: each noisy gradient is taken with create_graph and
 * the noise is a constant.
 */
public final class SmoothGradProvider implements AttributionProvider {
    @Override
    public String name() {
        return "smoothgrad";
    }

    @Override
    public String description() {
        return "SmoothGrad (Smilkov et al. 2017): mean input gradient over n Gaussian-noised copies of the input";
    }

    @Override
    public ParameterSchema parameters() {
        ParameterSchema.Builder b = ParameterSchema.builder()
                .addInt("samples", 50, 1, 1_000_000, "noisy copies n per example")
                .addDouble("sigma", 0.15, 0, Double.POSITIVE_INFINITY,
                        "noise standard deviation as a fraction of the example's range max(x) - min(x)");
        return RowChunks.declare(AttributionTarget.declare(b)).build();
    }

    @Override
    public boolean differentiable() {
        return true;
    }

    @Override
    public AttributionMethod create(HyperParameters params) {
        int samples = params.getInt("samples");
        double sigma = params.getDouble("sigma");
        AttributionTarget target = AttributionTarget.of(params.getString(AttributionTarget.PARAMETER));
        int internal = params.getInt(RowChunks.PARAMETER);
        return (model, inputs, labels, seed) -> {
            AttributionInputs in = AttributionInputs.check(name(), inputs, labels);
            int b = in.examples();
            if (b == 0) {
                return inputs.zerosLike();
            }
            double[] scale = noiseScale(inputs, sigma);
            RowStreams streams = new RowStreams(seed, b);
            RowChunks plan = RowChunks.plan(internal, b, samples);
            List<NDArray> parts = new ArrayList<>();
            for (int e0 = 0; e0 < b; e0 += plan.examplesPerPass()) {
                int e1 = Math.min(b, e0 + plan.examplesPerPass());
                NDArray x = RowChunks.rows(inputs, e0, e1);
                NDArray y = RowChunks.rows(in.labels(), e0, e1);
                NDArray sum = null;
                for (int s0 = 0; s0 < samples; s0 += plan.pointsPerPass()) {
                    int count = Math.min(plan.pointsPerPass(), samples - s0);
                    NDList noisy = new NDList(count);
                    for (int s = 0; s < count; s++) {
                        noisy.add(x.add(streams.gaussian(x, e0, scale)));
                    }
                    NDArray pointSum = PointGradients.sum(model, target, noisy, y, in.largestLabel());
                    sum = sum == null ? pointSum : sum.add(pointSum);
                }
                parts.add(Scalars.divide(sum, samples));
            }
            return RowChunks.concat(parts);
        };
    }

    /** {@code sigma * (max - min)} of every example. */
    private static double[] noiseScale(NDArray inputs, double sigma) {
        NDArray flat = inputs.reshape(inputs.getShape().get(0), -1);
        double[] range = flat.max(new int[] {1}).sub(flat.min(new int[] {1}))
                .toType(DataType.FLOAT64, false).toDoubleArray();
        for (int i = 0; i < range.length; i++) {
            range[i] *= sigma;
        }
        return range;
    }
}
