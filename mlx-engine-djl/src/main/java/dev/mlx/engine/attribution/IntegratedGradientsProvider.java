package dev.mlx.engine.attribution;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import dev.mlx.api.attribution.AttributionMethod;
import dev.mlx.api.attribution.AttributionProvider;
import dev.mlx.api.param.HyperParameters;
import dev.mlx.api.param.ParameterSchema;
import dev.mlx.api.train.Scalars;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code integrated-gradients}: Integrated Gradients (Sundararajan, Taly and Yan, "Axiomatic
 * Attribution for Deep Networks", ICML 2017), the input gradient integrated along the straight path
 * from a baseline {@code x'} to the input, with a right Riemann sum of {@code M} points:
 *
 * <pre>
 * A(x)_i = (x_i - x'_i) * (1/M) sum_{k=1..M} dF/dx_i (x' + (k/M)(x - x'))
 * </pre>
 *
 * with {@code F} the {@link AttributionTarget}. <b>Completeness</b>: {@code sum_i A(x)_i -> F(x) - F(x')}
 * as {@code M} grows (exactly for a model linear along the path). For a linear model, the zero baseline
 * and {@code target=logit}, {@code A(x) = x * W[y]} exactly for every {@code M}.
 *
 * <p>Parameters: {@code steps} {@code M} (default 50, as the reference IG code of seed 004);
 * {@code baseline}: {@code zeros} (the default, the black image) or {@code uniform} (one draw
 * {@code x' ~ U[0, 1)} per example from {@code SplittableRandom(seed + b)}, see {@link RowStreams});
 * {@code target}; {@code internal-batch-size}: rows (examples times path points) per forward pass
 * ({@link RowChunks}); the result equals the unchunked one.
 *
 * <p>Differentiable with respect to the parameters: each path gradient is taken with create_graph
 * and the baseline is a constant.
 */
public final class IntegratedGradientsProvider implements AttributionProvider {
    @Override
    public String name() {
        return "integrated-gradients";
    }

    @Override
    public String description() {
        return "Integrated Gradients (Sundararajan et al. 2017): path integral of the input gradient from a baseline";
    }

    @Override
    public ParameterSchema parameters() {
        ParameterSchema.Builder b = ParameterSchema.builder()
                .addInt("steps", 50, 1, 1_000_000, "Riemann points M along the path")
                .addChoice("baseline", "zeros", List.of("zeros", "uniform"),
                        "the path's start: all zeros, or uniform noise in [0, 1) drawn from the seed");
        return RowChunks.declare(AttributionTarget.declare(b)).build();
    }

    @Override
    public boolean differentiable() {
        return true;
    }

    @Override
    public AttributionMethod create(HyperParameters params) {
        int steps = params.getInt("steps");
        boolean uniform = params.getString("baseline").equals("uniform");
        AttributionTarget target = AttributionTarget.of(params.getString(AttributionTarget.PARAMETER));
        int internal = params.getInt(RowChunks.PARAMETER);
        return (model, inputs, labels, seed) -> {
            AttributionInputs in = AttributionInputs.check(name(), inputs, labels);
            int b = in.examples();
            if (b == 0) {
                return inputs.zerosLike();
            }
            NDArray baseline = uniform ? new RowStreams(seed, b).uniform(inputs, 0) : inputs.zerosLike();
            NDArray delta = inputs.sub(baseline);
            RowChunks plan = RowChunks.plan(internal, b, steps);
            List<NDArray> parts = new ArrayList<>();
            for (int e0 = 0; e0 < b; e0 += plan.examplesPerPass()) {
                int e1 = Math.min(b, e0 + plan.examplesPerPass());
                NDArray start = RowChunks.rows(baseline, e0, e1);
                NDArray d = RowChunks.rows(delta, e0, e1);
                NDArray y = RowChunks.rows(in.labels(), e0, e1);
                NDArray sum = null;
                for (int k0 = 1; k0 <= steps; k0 += plan.pointsPerPass()) {
                    int count = Math.min(plan.pointsPerPass(), steps - k0 + 1);
                    NDList points = new NDList(count);
                    for (int k = k0; k < k0 + count; k++) {
                        points.add(start.add(Scalars.times(d, (double) k / steps)));
                    }
                    NDArray pointSum = PointGradients.sum(model, target, points, y, in.largestLabel());
                    sum = sum == null ? pointSum : sum.add(pointSum);
                }
                parts.add(Scalars.divide(d.mul(sum), steps));
            }
            return RowChunks.concat(parts);
        };
    }
}
