package dev.mlx.engine.method;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.mlx.api.param.HyperParameters;
import dev.mlx.api.param.ParameterSchema;
import dev.mlx.api.train.OwnedArrays;
import dev.mlx.api.train.Regularizer;
import dev.mlx.api.train.RegularizerProvider;
import dev.mlx.api.train.Scalars;
import java.util.SplittableRandom;

/**
 * CoRM, Core Risk Minimization (Singla, Moayeri and Feizi, "Core Risk Minimization using Salient
 * ImageNet", 2022), as the baseline {@code LitCoRMClassifier} of Heo et al., "Use Perturbations
 * when Learning from Explanations" (NeurIPS 2023; code {@code vihari/robust_mlx}), reference spec
 * §6.4: the masked (spurious) features are drawn over with Gaussian noise and the network must still
 * classify the noisy input.
 *
 * <pre>
 * n       ~ N(0, sigma^2) element-wise, shape of x      (drawn from context.seed())
 * penalty = lambda * (1/B) sum_b CE( f(x_b + m_b * n_b), y_b )
 * </pre>
 *
 * so the training loss is {@code CE(f(x), y) + lambda * CE(f(x + m*n), y)}, robust_mlx's loss for
 * {@code lambda = 1}. The noise is drawn for the whole batch at once (one stream per step), then the
 * batch is processed in chunks of at most {@code internal-batch-size} examples; the per-sample
 * losses are summed over the chunks and divided by {@code B}, so chunking does not change the value.
 * The authors tune {@code sigma} in {0.03, 0.3, 1, 1.5, 2}.
 */
public final class CormProvider implements RegularizerProvider {
    @Override
    public String name() {
        return "corm";
    }

    @Override
    public String description() {
        return "CoRM (Singla et al. 2022; robust_mlx baseline): lambda * CE(f(x + m * N(0, sigma^2)), y)";
    }

    @Override
    public ParameterSchema parameters() {
        return ParameterSchema.builder()
                .addDouble("lambda", 1.0, 0, Double.POSITIVE_INFINITY, "weight of the noisy-input cross-entropy")
                .addDouble("sigma", 1.0, 0, Double.POSITIVE_INFINITY,
                        "standard deviation of the noise on masked features (tuned in {0.03, 0.3, 1, 1.5, 2})")
                .addInt("internal-batch-size", 1000, 0, Integer.MAX_VALUE,
                        "process at most this many examples at once (0 = the whole batch)")
                .build();
    }

    @Override
    public Regularizer create(HyperParameters params) {
        double lambda = params.getDouble("lambda");
        double sigma = params.getDouble("sigma");
        int chunk = params.getInt("internal-batch-size");
        return (model, batch, context) -> {
            NDArray x = batch.inputs();
            NDArray noisy = x.add(batch.masks().mul(gaussian(context.manager(), x.getShape(), x.getDataType(),
                    sigma, context.seed())));
            return Scalars.times(ChunkedCrossEntropy.mean(model, batch, chunk, rows -> noisy.get(rows)), lambda);
        };
    }

    /**
     * {@code sigma * N(0, 1)} noise of the given shape and floating type, drawn on the host from a
     * {@link SplittableRandom} seeded with {@code seed}.
     */
    static NDArray gaussian(NDManager manager, Shape shape, DataType type, double sigma, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int n = Math.toIntExact(shape.size());
        if (type == DataType.FLOAT64) {
            double[] data = new double[n];
            for (int i = 0; i < n; i++) {
                data[i] = sigma * random.nextGaussian();
            }
            return OwnedArrays.of(manager, data, shape, type);
        }
        float[] data = new float[n];
        for (int i = 0; i < n; i++) {
            data[i] = (float) (sigma * random.nextGaussian());
        }
        return OwnedArrays.of(manager, data, shape, type);
    }
}
