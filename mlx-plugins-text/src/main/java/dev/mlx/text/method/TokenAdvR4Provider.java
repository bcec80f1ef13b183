package dev.mlx.text.method;

import ai.djl.ndarray.NDArray;
import dev.mlx.api.param.HyperParameters;
import dev.mlx.api.param.ParameterSchema;
import dev.mlx.api.train.Regularizer;
import dev.mlx.api.train.RegularizerProvider;
import dev.mlx.api.train.Scalars;
import dev.mlx.api.train.TokenEmbeddings;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.LongStream;

/**
 * Adv-R4 on text (Ghitu et al., "Model Guidance via Robust Feature Attribution", TMLR, Sec. 4.2.2 and
 * Appendix C): RRR at the worst substitution of the spurious tokens that a Greedy Coordinate
 * Gradient search ({@link GcgSearch}, after Zou et al. 2023) finds,
 *
 * <pre>
 * U       = pool spurious: the distinct ids at masked positions of the batch (the spurious ids seen)
 *           pool vocab:    every id of the vocabulary but the pad id
 * x_adv   = GcgSearch(candidates, steps, selection).maximise(x)   (greedy, per masked position, J never decreases)
 * penalty = lambda * (1/B) sum_n sum_{t,d} (M[n,t] * G(x_adv)[n,t,d])^2   (create_graph, trains)
 * </pre>
 *
 * With {@code selection = gradient} (GCG) the {@code candidates} ids of a position are the pool's
 * top ids by the linearised gain {@code (W_emb[v] - W_emb[x_t]) . dJ/dE[t]} (or, with {@code top}
 * larger, drawn among the {@code top} best, GCG's sampling); with {@code random}
 * they are drawn from the step's seed. Either way they are scored exactly in one batch with the
 * current id, for {@code steps} passes; runs repeat. Unlike the reference (spec §10.3, §14 item 14)
 * the penalty is differentiated, positions are scored on the updated sequence and the attention mask
 * is applied in every forward pass. The reference drew its pool from the dataset's whole spurious
 * word list; a regularizer sees only the batch, so {@code spurious} is the part of it in the batch.
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
    public Optional<String> tokenModelCounterpartOf() {
        return Optional.of("adv-r4");
    }

    @Override
    public ParameterSchema parameters() {
        return ParameterSchema.builder()
                .addDouble("lambda", 10.0, 0, Double.POSITIVE_INFINITY, "weight of the penalty")
                .addInt("candidates", 8, 1, 100_000, "replacement tokens scored exactly per masked position")
                .addInt("steps", 1, 0, 1000, "greedy passes over the masked positions")
                .addChoice("selection", "gradient", List.of("gradient", "random"),
                        "gradient: top candidates by the linearised gain (GCG); random: drawn uniformly")
                .addInt("top", 0, 0, 1_000_000, "gradient selection: draw the candidates among this many ids with the"
                        + " largest gain (GCG's top-k); 0 or <= candidates: take the top candidates themselves")
                .addChoice("pool", "spurious", List.of("spurious", "vocab"),
                        "replacement ids: the spurious ids at masked positions of the batch, or the whole vocabulary")
                .build();
    }

    @Override
    public Regularizer create(HyperParameters params) {
        double lambda = params.getDouble("lambda");
        GcgSearch search = new GcgSearch(params.getInt("candidates"), params.getInt("steps"),
                GcgSearch.Selection.valueOf(params.getString("selection").toUpperCase(Locale.ROOT)), params.getInt("top"));
        boolean vocabulary = params.getString("pool").equals("vocab");
        return (model, batch, context) -> {
            TokenEmbeddings te = model.tokenEmbeddings();
            long[][] ids = TokenRows.ids(batch.inputs());
            float[][] masks = TokenRows.masks(batch.masks());
            long[] pool = vocabulary ? vocabulary(te) : TokenRows.maskedIds(ids, masks);
            long[][] adversarial = search.maximise(model, ids, masks, batch.labels(), pool, context.seed(),
                    context.manager());
            NDArray g = TokenGradients.lossGradient(te, TokenRows.array(context.manager(), adversarial),
                    batch.labels());
            NDArray j = TokenGradients.maskedSquares(g, batch.masks());
            return Scalars.times(Scalars.divide(j.sum(), batch.size()), lambda);
        };
    }

    /** @return every id of the vocabulary but the pad id */
    private static long[] vocabulary(TokenEmbeddings te) {
        return LongStream.range(0, te.vocabularySize()).filter(v -> v != te.padId()).toArray();
    }
}
