package dev.mlx.text.method;

import ai.djl.ndarray.NDArray;
import dev.mlx.api.param.HyperParameters;
import dev.mlx.api.param.ParameterSchema;
import dev.mlx.api.train.Regularizer;
import dev.mlx.api.train.RegularizerProvider;
import dev.mlx.api.train.Scalars;
import dev.mlx.api.train.TokenEmbeddings;

/**
 * Adv-R4 on text (Chen et al., "Model Guidance via Robust Feature Attribution", TMLR, Sec. 4.2.2 and
 * Appendix C): RRR at the worst substitution of the spurious tokens that a GCG-style greedy search
 * ({@link GcgSearch}) finds,
 *
 * <pre>
 * U       = the distinct ids at masked positions of the batch
 * x_adv   = GcgSearch(candidates, steps).maximise(x)   (greedy, per masked position, J never decreases)
 * penalty = lambda * (1/B) sum_n sum_{t,d} (M[n,t] * G(x_adv)[n,t,d])^2   (create_graph, trains)
 * </pre>
 *
 * The search's budget is {@code candidates} replacements per position and {@code steps} passes;
 * it runs on the step's seed, so runs repeat. Unlike the reference (spec §10.3, §14 item 14) the
 * penalty is differentiated, positions are scored on the updated sequence and the attention mask is
 * applied in every forward pass.
 */
public final class TokenAdvR4Provider implements RegularizerProvider {
    @Override
    public String name() {
        return "token-adv-r4";
    }

    @Override
    public String description() {
        return "Adv-R4 on text: RRR at the GCG-style greedy token substitution that maximises the masked"
                + " word-embedding gradient";
    }

    @Override
    public boolean forTokenModels() {
        return true;
    }

    @Override
    public ParameterSchema parameters() {
        return ParameterSchema.builder()
                .addDouble("lambda", 10.0, 0, Double.POSITIVE_INFINITY, "weight of the penalty")
                .addInt("candidates", 8, 1, 100_000, "replacement tokens tried per masked position")
                .addInt("steps", 1, 0, 1000, "greedy passes over the masked positions")
                .build();
    }

    @Override
    public Regularizer create(HyperParameters params) {
        double lambda = params.getDouble("lambda");
        GcgSearch search = new GcgSearch(params.getInt("candidates"), params.getInt("steps"));
        return (model, batch, context) -> {
            TokenEmbeddings te = model.tokenEmbeddings();
            long[][] ids = TokenRows.ids(batch.inputs());
            float[][] masks = TokenRows.masks(batch.masks());
            long[][] adversarial = search.maximise(te, ids, masks, batch.labels(), TokenRows.maskedIds(ids, masks),
                    context.seed(), context.manager());
            NDArray g = TokenGradients.lossGradient(te, TokenRows.array(context.manager(), adversarial),
                    batch.labels());
            NDArray j = TokenGradients.maskedSquares(g, batch.masks());
            return Scalars.times(Scalars.divide(j.sum(), batch.size()), lambda);
        };
    }
}
