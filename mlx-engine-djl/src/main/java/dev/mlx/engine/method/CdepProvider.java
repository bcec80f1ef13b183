package dev.mlx.engine.method;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;
import dev.mlx.api.error.UnsupportedCapabilityException;
import dev.mlx.api.param.HyperParameters;
import dev.mlx.api.param.ParameterSchema;
import dev.mlx.api.train.Regularizer;
import dev.mlx.api.train.RegularizerProvider;
import dev.mlx.api.train.Scalars;
import dev.mlx.engine.nn.ContextualDecomposition;
import dev.mlx.engine.nn.Network;

/**
 * CDEP, contextual decomposition explanation penalization (Rieger, Singh, Murdoch and Yu,
 * "Interpretations are useful: penalizing explanations to align neural networks with prior
 * knowledge", ICML 2020), in the form of the authors' image code ({@code score_funcs.cdep} and the
 * DecoyMNIST / ColorMNIST training scripts of {@code laura-rieger/deep-explanation-penalization}).
 *
 * <p>{@link ContextualDecomposition} splits the logits {@code z = beta + gamma} into the part
 * {@code beta} due to the masked features ({@code m * x}, the features that must not matter) and
 * the part {@code gamma} due to the rest. The penalty is the mean, over every example and class,
 * of the softmax of the pair {@code (beta, gamma)} read at {@code beta}:
 *
 * <pre>
 * penalty = lambda * (1 / (B C)) * sum_{b, c} exp(beta_bc) / (exp(beta_bc) + exp(gamma_bc))
 *         = lambda * mean( sigmoid(beta - gamma) )
 * </pre>
 *
 * i.e. the paper's {@code lambda * ||softmax-normalised CD score of the masked region - 0||_1},
 * averaged as in the code ({@code softmax(stack(rel, irrel), dim=1)[:, 0].mean()}). It is
 * differentiable in every parameter through the CD rules. As in CDEP, an example without any
 * masked feature still contributes {@code sigmoid(-z)} (its {@code beta} is exactly 0), which pushes
 * its logits up; a batch without masks therefore does not give 0.
 *
 * <p>Needs the engine's own {@link Network} (CD walks its layers: Linear, ReLU, Flatten, Conv2d);
 * any other {@link dev.mlx.api.train.Model} is refused with {@link UnsupportedCapabilityException}.
 */
public final class CdepProvider implements RegularizerProvider {
    @Override
    public String name() {
        return "cdep";
    }

    @Override
    public String description() {
        return "CDEP (Rieger et al., ICML 2020): lambda * mean softmax(beta, gamma)[beta] of the contextual"
                + " decomposition of the logits into masked (beta) and unmasked (gamma) parts";
    }

    @Override
    public ParameterSchema parameters() {
        return ParameterSchema.builder()
                .addDouble("lambda", 1.0, 0, Double.POSITIVE_INFINITY,
                        "weight of the penalty (CDEP's regularizer_rate; the authors swept 1 to 10000)")
                .build();
    }

    @Override
    public Regularizer create(HyperParameters params) {
        double lambda = params.getDouble("lambda");
        return (model, batch, context) -> {
            if (!(model instanceof Network network)) {
                throw new UnsupportedCapabilityException("cdep needs the engine's own network to decompose its"
                        + " layers (contextual decomposition); got " + model.getClass().getName()
                        + ". Use a model built by the DJL engine or a regularizer that needs only the Model API"
                        + " (e.g. rrr)");
            }
            ContextualDecomposition.Parts parts =
                    ContextualDecomposition.decompose(network, batch.inputs(), batch.masks());
            NDArray score = Activation.sigmoid(parts.relevant().sub(parts.irrelevant()));
            return Scalars.times(score.mean(), lambda);
        };
    }
}
