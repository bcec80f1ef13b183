package dev.mlx.engine.method;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import dev.mlx.api.param.HyperParameters;
import dev.mlx.api.param.ParameterSchema;
import dev.mlx.api.train.Model;
import dev.mlx.api.train.OwnedArrays;
import dev.mlx.api.train.Regularizer;
import dev.mlx.api.train.RegularizerProvider;
import dev.mlx.api.train.Scalars;
import java.util.SplittableRandom;

/**
 * Input-marginal-density regularisation, seed 003 (Yang et al., ECCV 2024), reference spec §13.1.
 * Reading the logits as an energy model, {@code p(x, y) ∝ exp f_y(x)}, the input marginal is
 * {@code log p(x) = LSE_c f_c(x) - log Z} with {@code Z} independent of {@code x}; the method
 * penalises the norm of its input gradient. In the numerically stable form of the paper, for a
 * class {@code j_b} drawn uniformly at random per sample (from the step seed),
 *
 * <pre>
 * g_b     = d/dx_b [ f_{j_b}(x_b) - log softmax_{j_b}(f(x_b)) ]     (= d/dx_b LSE(f(x_b)); create_graph)
 * r_b     = || g_b ||_p                  (masked=false, the default: the seed's whole-input prior)
 * r_b     = || m_b * g_b ||_p            (masked=true: restricted to the masked features, an MLX baseline)
 * penalty = lambda * (1/B) * sum_b r_b
 * </pre>
 *
 * The identity {@code LSE(f) = f_j - log softmax_j(f)} holds for every {@code j}; the right side
 * never exponentiates a raw logit (log-softmax subtracts the maximum first), so it stays finite
 * where {@code log sum exp f} overflows in float32 (logits of order 1e2 and above). One gradient of
 * the scalar difference is taken, as in the paper's "efficient" form (mathematically equal to
 * the difference of the two gradients).
 *
 * <p>{@code p = 2} penalises the norm itself, not its square, as the seed writes
 * {@code ||.||_p}; it is computed as {@code sqrt(sum g^2 + 1e-12) - 1e-6}, which is 0 at a zero
 * gradient, within 1e-6 of the norm everywhere, and has a finite derivative where the gradient
 * vanishes (for instance a masked-out example), where {@code sqrt} alone would give NaN. {@code p = 1} is
 * {@code sum |g|}. The paper's ablation compares p-norms, but the value of {@code p} and
 * {@code lambda} behind its main tables are not recoverable from the seed text (§13.1): the
 * defaults {@code p = 2, lambda = 1} are mlx's choice.
 */
public final class MarginalDensityProvider implements RegularizerProvider {
    /** Added under the square root of the 2-norm, so the norm is differentiable at a zero gradient. */
    static final double NORM_EPSILON = 1e-12;

    @Override
    public String name() {
        return "marginal-density";
    }

    @Override
    public String description() {
        return "input-marginal-density regularisation (Yang et al., ECCV 2024):"
                + " lambda * mean_b ||d/dx logsumexp f(x)||_p, stable form, optionally masked";
    }

    /** Reads the masks when {@code masked=true}; the unmasked default ignores them. */
    @Override
    public boolean usesMasks() {
        return true;
    }

    @Override
    public ParameterSchema parameters() {
        return ParameterSchema.builder()
                .addDouble("lambda", 1.0, 0, Double.POSITIVE_INFINITY, "weight of the penalty")
                .addInt("p", 2, 1, 2, "the norm of the input gradient: 1 or 2 (the norm, not its square)")
                .addBoolean("masked", false, "penalise m * grad (the masked features) instead of the whole gradient")
                .build();
    }

    @Override
    public Regularizer create(HyperParameters params) {
        double lambda = params.getDouble("lambda");
        int p = params.getInt("p");
        boolean masked = params.getBoolean("masked");
        return (model, batch, context) -> {
            NDArray g = densityGradient(model, batch.inputs(), context.seed());
            if (masked) {
                g = g.mul(batch.masks());
            }
            NDArray flat = g.reshape(batch.size(), -1);
            NDArray norms = p == 1 ? flat.abs().sum(new int[] {1}) : smoothNorm(flat.square().sum(new int[] {1}));
            return Scalars.times(Scalars.divide(norms.sum(), batch.size()), lambda);
        };
    }

    /**
     * {@code sqrt(s + eps) - sqrt(eps)} in the data type of {@code s}, exactly 0 at {@code s = 0}
     * (the offset is the correctly rounded square root of the same {@code eps} the array adds).
     */
    private static NDArray smoothNorm(NDArray sumOfSquares) {
        if (sumOfSquares.getDataType() == DataType.FLOAT64) {
            return sumOfSquares.add(NORM_EPSILON).sqrt().sub(Math.sqrt(NORM_EPSILON));
        }
        float eps = (float) NORM_EPSILON;
        return sumOfSquares.add(eps).sqrt().sub((float) Math.sqrt(eps));
    }

    /**
     * The stable-form gradient of the log input marginal, {@code d/dx [f_j(x) - log softmax_j(f(x))]}
     * with one class {@code j} per sample drawn from {@code seed}; differentiable with respect to
     * the parameters.
     *
     * @param model the network
     * @param inputs the inputs {@code [B, ...]}
     * @param seed the seed of the class draws
     * @return {@code d/dx LSE(f(x))}, the shape of {@code inputs}
     */
    static NDArray densityGradient(Model model, NDArray inputs, long seed) {
        int b = (int) inputs.getShape().get(0);
        SplittableRandom random = new SplittableRandom(seed);
        return model.inputGradient(inputs, logits -> {
            int classes = (int) logits.getShape().get(1);
            long[] js = new long[b];
            for (int i = 0; i < b; i++) {
                js[i] = random.nextInt(classes);
            }
            NDArray oneHot = OwnedArrays.of(logits.getManager(), js).oneHot(classes).toType(logits.getDataType(), false);
            return logits.sub(logits.logSoftmax(1)).mul(oneHot);
        }).gradient();
    }
}
