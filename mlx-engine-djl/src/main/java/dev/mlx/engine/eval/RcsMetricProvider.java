package dev.mlx.engine.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import dev.mlx.api.metric.Metric;
import dev.mlx.api.metric.MetricProvider;
import dev.mlx.api.metric.MetricResult;
import dev.mlx.api.param.HyperParameters;
import dev.mlx.api.param.ParameterSchema;
import dev.mlx.api.train.OwnedArrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * {@code rcs}: relative core sensitivity (Singla, Moayeri and Feizi, "Core Risk Minimization using
 * Salient ImageNet", 2022; reference spec §8.4, the reference's {@code get_rcs_for_run}): how much more
 * the accuracy suffers from noise on the core features than from noise on the spurious ones.
 *
 * <pre>
 * noisy-spurious-accuracy = acc(x + sigma * u ⊙ m)            u ~ N(0, I), per example and sample
 * noisy-core-accuracy     = acc(x + sigma * u ⊙ (1 - m))
 * a                       = (noisy-core-accuracy + noisy-spurious-accuracy) / 2
 * rcs                     = (noisy-spurious-accuracy - noisy-core-accuracy) / (2 min(a, 1 - a))    (NaN if min(a, 1-a) = 0)
 * </pre>
 *
 * This is the reference's reported value, {@code -RCS_run = -(noisy_core - noisy_spur) / (2 min(a, 1-a))}:
 * positive when the model relies on the core features, 0 when both kinds of noise hurt alike, negative
 * when it relies on the spurious ones; its range is {@code [-1, 1]}.
 *
 * <p><b>One mask.</b> The reference evaluates the spurious-mask test set and a different core-mask test
 * set of Salient ImageNet. mlx's datasets carry one mask per example (1 = spurious / irrelevant), so here
 * both accuracies are measured on the same examples, with the core region defined as {@code 1 - m}. The
 * two noisy copies of an example share the same draw {@code u} (common random numbers), so their
 * difference has less variance.
 *
 * <p>Parameters: {@code sigma} (default 0.5, for inputs in [0, 1]; the reference adds {@code 2 N(0,1)} to
 * pixels in [0, 255], about 0.008 in [0, 1] units, which barely changes a prediction), {@code samples}
 * (noisy copies per example, default 1, as the reference). The draws of example {@code j} of the split
 * come from its own stream, so the values do not depend on the batch size. Also reports the clean
 * {@code accuracy}.
 */
public final class RcsMetricProvider implements MetricProvider {
    @Override
    public String name() {
        return "rcs";
    }

    @Override
    public String description() {
        return "relative core sensitivity: accuracy under noise on the spurious mask vs on the core (1 - mask)";
    }

    @Override
    public ParameterSchema parameters() {
        return ParameterSchema.builder()
                .addDouble("sigma", 0.5, 0, Double.POSITIVE_INFINITY, "standard deviation of the Gaussian noise")
                .addInt("samples", 1, 1, 100_000, "noisy copies per example and region")
                .build();
    }

    @Override
    public Metric create(HyperParameters params) {
        double sigma = params.getDouble("sigma");
        int samples = params.getInt("samples");
        return (model, split, context) -> {
            long[] counts = new long[3]; // clean, noisy spurious, noisy core correct
            int[] labels = split.labels();
            context.forEachBatch(split, (batch, offset) -> {
                NDArray x = batch.inputs();
                NDArray m = batch.masks();
                NDArray core = m.neg().add(1f);
                counts[0] += correct(model.logits(x), labels, offset);
                SplittableRandom[] streams = EmpiricalFragilityMetricProvider.exampleStreams(context.seed(), offset,
                        (int) batch.size());
                for (int s = 0; s < samples; s++) {
                    NDArray noise = gaussian(x, streams, sigma);
                    counts[1] += correct(model.logits(x.add(noise.mul(m))), labels, offset);
                    counts[2] += correct(model.logits(x.add(noise.mul(core))), labels, offset);
                }
            });
            double n = split.size();
            double spurious = counts[1] / (n * samples);
            double coreAcc = counts[2] / (n * samples);
            double a = (spurious + coreAcc) / 2;
            Map<String, Double> v = new LinkedHashMap<>();
            v.put("sigma", sigma);
            v.put("accuracy", counts[0] / n);
            v.put("noisy-spurious-accuracy", spurious);
            v.put("noisy-core-accuracy", coreAcc);
            v.put("rcs", MaskedExtent.ratio(spurious - coreAcc, 2 * Math.min(a, 1 - a)));
            return MetricResult.of(name(), v);
        };
    }

    /** {@code sigma * N(0, 1)} per feature, row {@code i} from {@code streams[i]}. */
    static NDArray gaussian(NDArray like, SplittableRandom[] streams, double sigma) {
        int rows = streams.length;
        int features = rows == 0 ? 0 : (int) (like.size() / rows);
        double[] u = new double[rows * features];
        for (int r = 0; r < rows; r++) {
            for (int f = 0; f < features; f++) {
                u[r * features + f] = sigma * streams[r].nextGaussian();
            }
        }
        return OwnedArrays.of(like.getManager(), u, like.getShape(), like.getDataType());
    }

    private static long correct(NDArray logits, int[] labels, int offset) {
        long[] p = logits.argMax(1).toLongArray();
        long c = 0;
        for (int i = 0; i < p.length; i++) {
            if (p[i] == labels[offset + i]) {
                c++;
            }
        }
        return c;
    }
}
