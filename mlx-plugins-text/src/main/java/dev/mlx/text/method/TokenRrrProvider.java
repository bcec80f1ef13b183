package dev.mlx.text.method;

import ai.djl.ndarray.NDArray;
import dev.mlx.api.param.HyperParameters;
import dev.mlx.api.param.ParameterSchema;
import dev.mlx.api.train.Regularizer;
import dev.mlx.api.train.RegularizerProvider;
import dev.mlx.api.train.Scalars;
import java.util.Optional;

/**
 * RRR ("Right for the Right Reasons", Ross, Hughes and Doshi-Velez, IJCAI 2017; R3 in Ghitu et al.,
 * "Model Guidance via Robust Feature Attribution", TMLR, Appendix C) on text: the input gradient
 * is taken with respect to the word embeddings of the tokens (see {@link TokenGradients}),
 *
 * <pre>
 * penalty = lambda * (1/B) sum_n sum_{t,d} (M[n,t] * dCE_n/dE[n,t,d])^2
 * </pre>
 *
 * with create_graph, so it trains the parameters. {@code M} marks the spurious token positions.
 * Unlike the reference (spec §10.3, §14 item 14) the per-token score is the full embedding
 * gradient (not its signed sum over the embedding dimension) and the attention mask is applied.
 */
public final class TokenRrrProvider implements RegularizerProvider {
    @Override
    public String name() {
        return "token-rrr";
    }

    @Override
    public String description() {
        return "RRR on text: lambda * ||M * dCE/dE||^2 over the word embeddings of the masked tokens, differentiable";
    }

    @Override
    public boolean forTokenModels() {
        return true;
    }

    @Override
    public Optional<String> tokenModelCounterpartOf() {
        return Optional.of("rrr");
    }

    @Override
    public ParameterSchema parameters() {
        return ParameterSchema.builder()
                .addDouble("lambda", 10.0, 0, Double.POSITIVE_INFINITY, "weight of the penalty")
                .build();
    }

    @Override
    public Regularizer create(HyperParameters params) {
        double lambda = params.getDouble("lambda");
        return (model, batch, context) -> {
            NDArray g = TokenGradients.lossGradient(model.tokenEmbeddings(), batch.inputs(), batch.labels());
            NDArray j = TokenGradients.maskedSquares(g, batch.masks());
            return Scalars.times(Scalars.divide(j.sum(), batch.size()), lambda);
        };
    }
}
