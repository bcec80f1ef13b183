package dev.mlx.engine.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.mlx.api.metric.Metric;
import dev.mlx.api.metric.MetricProvider;
import dev.mlx.api.metric.MetricResult;
import dev.mlx.api.param.HyperParameters;
import dev.mlx.api.param.ParameterSchema;
import dev.mlx.api.train.Batch;
import dev.mlx.api.train.Losses;
import dev.mlx.api.train.Model;
import dev.mlx.api.train.OwnedArrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * {@code empirical-fragility}: the largest change of the input gradient found by random sampling
 * inside the masked box, a lower bound on what {@code fragility} certifies from above; it needs only
 * input gradients, so it also applies to models without interval bounds.
 *
 * <p>With {@code g(x) = dL/dx} the input gradient of the per-sample, un-averaged cross-entropy with
 * the true label, and for each example {@code S} points {@code x'_s = x + eps * w ⊙ u_s},
 * {@code u_s ~ U[-1, 1]^F} drawn independently per feature:
 *
 * <pre>
 * delta(w)      = max_{b,s,i} |g(x'_s) - g(x)|[b,i] * w[b,i]
 * delta-mean(w) = sum_{b,s,i} |g(x'_s) - g(x)|[b,i] * w[b,i] / (S * #{(b,i) : w[b,i] > 0})   (0 if empty)
 *
 * delta-m, delta-m-mean       : w = m       (masked box)
 * delta-core, delta-core-mean : w = 1 - m   (core box)
 * ratio                       = delta-m / delta-core   (NaN if delta-core = 0)
 * </pre>
 *
 * Since {@code g(x')} and {@code g(x)} both lie in the certified interval {@code [eta_L, eta_U]} of the
 * same box, {@code delta(w) <= kappa(w)} of {@link FragilityMetricProvider} at the same {@code epsilon}.
 *
 * <p>The draws of example {@code j} of the split come from its own stream, seeded from the context seed
 * and {@code j}, so the values do not depend on the batch size. Parameters: {@code epsilon} (default
 * 0.1, Decoy-MNIST's {@code test_epsilon}) and {@code samples} ({@code S}, default 10).
 */
public final class EmpiricalFragilityMetricProvider implements MetricProvider {
    @Override
    public String name() {
        return "empirical-fragility";
    }

    @Override
    public String description() {
        return "largest input-gradient change found by random sampling in the masked (and core) box";
    }

    @Override
    public ParameterSchema parameters() {
        return ParameterSchema.builder()
                .addDouble("epsilon", 0.1, 0, Double.POSITIVE_INFINITY, "radius of the box around each input")
                .addInt("samples", 10, 1, 100_000, "random points per example and box (S)")
                .build();
    }

    @Override
    public Metric create(HyperParameters params) {
        double epsilon = params.getDouble("epsilon");
        int samples = params.getInt("samples");
        return (model, split, context) -> {
            MaskedExtent masked = new MaskedExtent();
            MaskedExtent core = new MaskedExtent();
            int features = split.featureCount();
            context.forEachBatch(split, (batch, offset) -> {
                SplittableRandom[] streams = exampleStreams(context.seed(), offset, (int) batch.size());
                NDArray g0 = gradient(model, batch, batch.inputs());
                NDArray m = batch.masks();
                NDArray coreMask = m.neg().add(1f);
                sample(model, batch, g0, m, masked, streams, features, epsilon, samples);
                sample(model, batch, g0, coreMask, core, streams, features, epsilon, samples);
            });
            Map<String, Double> v = new LinkedHashMap<>();
            v.put("epsilon", epsilon);
            v.put("samples", (double) samples);
            v.put("delta-m", masked.max());
            v.put("delta-m-mean", masked.mean(samples));
            v.put("delta-core", core.max());
            v.put("delta-core-mean", core.mean(samples));
            v.put("ratio", MaskedExtent.ratio(masked.max(), core.max()));
            return MetricResult.of(name(), v);
        };
    }

    private static void sample(Model model, Batch batch, NDArray g0, NDArray weight, MaskedExtent extent,
            SplittableRandom[] streams, int features, double epsilon, int samples) {
        NDArray x = batch.inputs();
        NDManager manager = x.getManager();
        Shape shape = x.getShape();
        extent.count(weight);
        for (int s = 0; s < samples; s++) {
            float[] u = new float[streams.length * features];
            for (int i = 0; i < streams.length; i++) {
                for (int f = 0; f < features; f++) {
                    u[i * features + f] = (float) (streams[i].nextDouble() * 2 - 1);
                }
            }
            NDArray noise = OwnedArrays.of(manager, u, shape, x.getDataType());
            NDArray moved = x.add(noise.mul(weight).mul((float) epsilon));
            NDArray change = gradient(model, batch, moved).sub(g0).abs().mul(weight);
            extent.add(change);
        }
    }

    private static NDArray gradient(Model model, Batch batch, NDArray at) {
        return model.inputGradient(at, z -> Losses.perSampleCrossEntropy(z, batch.labels())).gradient().stopGradient();
    }

    /**
     * One stream per example of a batch: row {@code i} draws from {@code exampleSeed(seed, offset + i)},
     * so what an example gets does not depend on the batch size.
     */
    static SplittableRandom[] exampleStreams(long seed, int offset, int rows) {
        SplittableRandom[] streams = new SplittableRandom[rows];
        for (int i = 0; i < rows; i++) {
            streams[i] = new SplittableRandom(exampleSeed(seed, offset + i));
        }
        return streams;
    }

    /** A well-mixed seed for example {@code index} (SplittableRandom mixes it further). */
    static long exampleSeed(long seed, int index) {
        return seed * 0x9E3779B97F4A7C15L + 0xBF58476D1CE4E5B9L * (index + 1L);
    }
}
