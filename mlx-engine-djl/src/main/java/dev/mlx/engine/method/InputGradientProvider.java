package dev.mlx.engine.method;

import ai.djl.ndarray.NDArray;
import dev.mlx.api.param.HyperParameters;
import dev.mlx.api.param.ParameterSchema;
import dev.mlx.api.train.InputGradient;
import dev.mlx.api.train.Losses;
import dev.mlx.api.train.Regularizer;
import dev.mlx.api.train.RegularizerProvider;
import dev.mlx.api.train.Scalars;

/**
 * Input-gradient regularisation, "double backpropagation" (Drucker and LeCun, "Improving
 * generalization performance using double backpropagation", IEEE TNN 1992; Ross and Doshi-Velez,
 * "Improving the adversarial robustness and interpretability of deep neural networks by
 * regularizing their input gradients", AAAI 2018):
 *
 * <pre>
 * g       = d/dx sum_n CE(f(x_n), y_n)             (per-sample loss gradients, create_graph)
 * penalty = lambda * (1/B) * sum_b || g_b ||_2^2       (masked=false, the default)
 * penalty = lambda * (1/B) * sum_b || m_b * g_b ||_2^2 (masked=true)
 * </pre>
 *
 * Since {@code CE(f(x_n), y_n)} depends on {@code x_n} only, the gradient of the summed loss holds
 * every example's own loss gradient. Unmasked, it is a whole-input smoothness baseline; masked, it
 * is RRR without the weight term ({@code rrr} with {@code weight-l2=0}, {@code reduction=batch}).
 * The penalty is differentiable with respect to the parameters (double backprop).
 */
public final class InputGradientProvider implements RegularizerProvider {
    @Override
    public String name() {
        return "input-gradient";
    }

    @Override
    public String description() {
        return "input-gradient regularisation (Drucker & LeCun 1992; Ross & Doshi-Velez 2018):"
                + " lambda * mean_b ||dCE/dx||^2, optionally masked";
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
                .addBoolean("masked", false, "penalise m * dCE/dx (the masked features) instead of the whole gradient")
                .build();
    }

    @Override
    public Regularizer create(HyperParameters params) {
        double lambda = params.getDouble("lambda");
        boolean masked = params.getBoolean("masked");
        return (model, batch, context) -> {
            InputGradient g = model.inputGradient(batch.inputs(),
                    logits -> Losses.perSampleCrossEntropy(logits, batch.labels()));
            NDArray grad = masked ? g.gradient().mul(batch.masks()) : g.gradient();
            return Scalars.times(Scalars.divide(grad.square().sum(), batch.size()), lambda);
        };
    }
}
