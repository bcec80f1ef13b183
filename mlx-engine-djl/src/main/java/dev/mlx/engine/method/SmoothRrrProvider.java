package dev.mlx.engine.method;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import dev.mlx.api.param.HyperParameters;
import dev.mlx.api.param.ParameterSchema;
import dev.mlx.api.train.Regularizer;
import dev.mlx.api.train.RegularizerProvider;
import dev.mlx.api.train.Scalars;
import dev.mlx.engine.method.RandR4Provider.Sampling;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Smooth-R3: RRR (Ross et al., IJCAI 2017) applied to the SmoothGrad explanation (Smilkov et al.,
 * 2017), the baseline of Ghitu et al., "Model Guidance via Robust Feature Attribution" (TMLR);
 * reference spec §7.1.
 *
 * <pre>
 * x_s     = x + delta_s,   delta_s ~ U(-eps, eps) i.i.d. on ALL features   (s = 1..S; noise=one-sided: U(0, eps))
 * g(z)    = d/dz sum_n CE(f(z_n), y_n)                 (per-sample loss gradients, create_graph)
 *
 * form=smoothgrad (default, the paper's definition):
 *     G       = mean_s g(x_s)                          (the SmoothGrad explanation)
 *     penalty = lambda * ( sum (m * G)^2 / N  +  wc * sum_W ||W||_F^2 )
 *     N = B (reduction=batch, default) or B x features (reduction=features), as in {@link RrrProvider}
 *
 * form=difference (what the reference code computes, spec §7.1 and §14 item 6):
 *     A       = mean_s |g(x_s) - g(x)| * m
 *     penalty = lambda * ( ||A||_2 / nnz(m)  +  wc * sum_W ||W||_F^2 )   (Frobenius norm over the batch;
 *                                                                       0 when nnz(m) = 0; reduction unused)
 * </pre>
 *
 * Defaults are the reference's Decoy-MNIST values ({@code k = 10, eps = 0.1, S = 7, wc = 1e-4};
 * Adam lr 0.001, 15 epochs, batch 1000, §11.1); with {@code epsilon = 0} the default form equals
 * {@code rrr}. The noise is symmetric by default (the reference's one-sided {@code U(0, eps)} is
 * {@code noise=one-sided}) and the gradients are of the single-softmax cross-entropy on logits, so
 * unlike the reference (≈1e-8, double softmax) the term really trains. Every term is differentiable
 * with respect to the parameters. The batch is processed in chunks of whole examples so that one
 * model call sees at most {@code internal-batch-size} rows (each example contributes {@code S} rows,
 * {@code S + 1} for {@code form=difference}); the result does not depend on the chunking.
 */
public final class SmoothRrrProvider implements RegularizerProvider {
    @Override
    public String name() {
        return "smooth-rrr";
    }

    @Override
    public String description() {
        return "Smooth-R3: RRR on the SmoothGrad explanation, lambda * ||m * mean_s dCE/dx(x + delta_s)||^2,"
                + " differentiable";
    }

    @Override
    public ParameterSchema parameters() {
        ParameterSchema.Builder b = ParameterSchema.builder()
                .addDouble("lambda", 10.0, 0, Double.POSITIVE_INFINITY, "weight of the penalty (the papers' k)")
                .addDouble("epsilon", 0.1, 0, Double.POSITIVE_INFINITY, "half-width of the noise on every feature")
                .addInt("samples", 7, 1, 100_000, "S: noisy copies per example");
        Sampling.declareNoise(b)
                .addChoice("form", "smoothgrad", List.of("smoothgrad", "difference"),
                        "smoothgrad: RRR on the mean noisy gradient (the paper); difference: ||mean_s |g_s - g| m||_2"
                                + " / nnz(m) (the reference code)");
        return Sampling.declareWeightL2(b)
                .addChoice("reduction", "batch", List.of("batch", "features"),
                        "form=smoothgrad: divide the summed masked squared explanation by the batch size or by"
                                + " batch x features")
                .addInt("internal-batch-size", 2048, 0, Integer.MAX_VALUE,
                        "at most this many rows (example copies, S or S + 1 per example) per model call; 0 = the"
                                + " whole batch at once")
                .build();
    }

    @Override
    public Regularizer create(HyperParameters params) {
        double lambda = params.getDouble("lambda");
        double epsilon = params.getDouble("epsilon");
        int samples = params.getInt("samples");
        double low = Sampling.noiseLow(params, epsilon);
        boolean difference = params.getString("form").equals("difference");
        double weightL2 = params.getDouble("weight-l2");
        boolean perFeature = params.getString("reduction").equals("features");
        int internalBatchSize = params.getInt("internal-batch-size");
        return (model, batch, context) -> {
            NDArray x = batch.inputs();
            NDArray m = batch.masks();
            NDArray y = batch.labels();
            int b = (int) batch.size();
            long nnz = difference ? Sampling.nonZero(m) : -1;
            NDArray term;
            if (difference && nnz == 0) {
                term = x.getManager().zeros(new Shape(), x.getDataType());
            } else {
                Shape example = x.getShape().slice(1);
                int chunk = Sampling.examplesPerChunk(internalBatchSize, difference ? samples + 1 : samples, b);
                SplittableRandom[] streams = Sampling.perExample(context.seed(), b);
                NDArray sumOfSquares = null;
                for (int from = 0; from < b; from += chunk) {
                    int to = Math.min(b, from + chunk);
                    NDArray xc = Sampling.rows(x, from, to, b);
                    NDArray mc = Sampling.rows(m, from, to, b);
                    NDArray yc = Sampling.rows(y, from, to, b);
                    NDArray noise = Sampling.uniform(x.getManager(), x.getDataType(), streams, from, to, samples,
                            example, low, epsilon);
                    NDArray[] g = Sampling.noisyAndCleanGradients(model, noise.add(xc), difference ? xc : null, yc,
                            mc, false, samples, to - from, example);
                    NDArray explained = difference
                            ? g[0].sub(g[1]).abs().mul(mc).mean(new int[] {0})
                            : g[0].mean(new int[] {0}).mul(mc);
                    NDArray part = explained.square().sum();
                    sumOfSquares = sumOfSquares == null ? part : sumOfSquares.add(part);
                }
                if (!difference) {
                    double n = perFeature ? (double) b * example.size() : b;
                    term = Scalars.divide(sumOfSquares, n);
                } else if (Sampling.isZero(sumOfSquares)) {
                    term = x.getManager().zeros(new Shape(), x.getDataType());
                } else {
                    term = Scalars.divide(sumOfSquares.sqrt(), nnz);
                }
            }
            return Scalars.times(Sampling.plusWeightL2(term, model, weightL2), lambda);
        };
    }
}
