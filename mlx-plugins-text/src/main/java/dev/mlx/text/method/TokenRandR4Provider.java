package dev.mlx.text.method;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import dev.mlx.api.param.HyperParameters;
import dev.mlx.api.param.ParameterSchema;
import dev.mlx.api.train.Regularizer;
import dev.mlx.api.train.RegularizerProvider;
import dev.mlx.api.train.Scalars;
import dev.mlx.api.train.TokenEmbeddings;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * Rand-R4 on text (Ghitu et al., "Model Guidance via Robust Feature Attribution", TMLR, Sec. 4.2.1
 * and Appendix C; spec §10.3): the masked embedding gradient must vanish not only at the text
 * but at random substitutions of its spurious tokens,
 *
 * <pre>
 * U       = the distinct ids at masked positions of the batch        (the spurious vocabulary seen)
 * x_0     = x;   x_s = x with ceil(alpha * P) of its P masked positions replaced by ids ~ U(U)   (s = 1..S)
 * J_n(z)  = sum_{t,d} (M[n,t] * G(z)[n,t,d])^2                        ({@link TokenGradients})
 * penalty = lambda * (1/B) sum_n max_{s=0..S} J_n(x_s)
 * </pre>
 *
 * All terms are create_graph gradients, so the penalty trains. The reference drew
 * {@code floor(alpha P)} substitutions (none for a single spurious token at alpha &lt; 1) and
 * took a signed maximum over the embedding sum; this uses {@code ceil} and the squared norm.
 */
public final class TokenRandR4Provider implements RegularizerProvider {
    @Override
    public String name() {
        return "token-rand-r4";
    }

    @Override
    public String description() {
        return "Rand-R4 on text: worst masked word-embedding gradient over random substitutions of the spurious tokens";
    }

    @Override
    public boolean forTokenModels() {
        return true;
    }

    @Override
    public Optional<String> tokenModelCounterpartOf() {
        return Optional.of("rand-r4");
    }

    @Override
    public ParameterSchema parameters() {
        return ParameterSchema.builder()
                .addDouble("lambda", 10.0, 0, Double.POSITIVE_INFINITY, "weight of the penalty")
                .addDouble("alpha", 0.25, 0, 1, "fraction of the spurious positions replaced in each sample")
                .addInt("samples", 3, 1, 1000, "S: substituted copies per example (the text itself is also scored)")
                .build();
    }

    @Override
    public Regularizer create(HyperParameters params) {
        double lambda = params.getDouble("lambda");
        double alpha = params.getDouble("alpha");
        int samples = params.getInt("samples");
        return (model, batch, context) -> {
            TokenEmbeddings te = model.tokenEmbeddings();
            long[][] ids = TokenRows.ids(batch.inputs());
            float[][] masks = TokenRows.masks(batch.masks());
            long[] substitutes = TokenRows.maskedIds(ids, masks);
            int b = ids.length;
            SplittableRandom seeds = new SplittableRandom(context.seed());
            long[][] rows = new long[(samples + 1) * b][];
            for (int i = 0; i < b; i++) {
                SplittableRandom random = seeds.split();
                rows[i] = ids[i];
                for (int s = 1; s <= samples; s++) {
                    rows[s * b + i] = substitute(ids[i], TokenRows.masked(masks[i]), substitutes, alpha, random);
                }
            }
            NDArray labels = TokenSmoothRrrProvider.repeat(batch.labels(), 0, b, samples + 1);
            NDArray masksRepeated = TokenSmoothRrrProvider.repeat(batch.masks(), 0, b, samples + 1);
            NDArray g = TokenGradients.lossGradient(te, TokenRows.array(context.manager(), rows), labels);
            NDArray j = TokenGradients.maskedSquares(g, masksRepeated).reshape(new Shape(samples + 1, b));
            return Scalars.times(Scalars.divide(j.max(new int[] {0}).sum(), b), lambda);
        };
    }

    private static long[] substitute(long[] row, int[] masked, long[] substitutes, double alpha,
            SplittableRandom random) {
        long[] copy = row.clone();
        if (masked.length == 0 || substitutes.length == 0) {
            return copy;
        }
        int n = Math.min(masked.length, (int) Math.ceil(alpha * masked.length));
        int[] positions = masked.clone();
        for (int k = 0; k < n; k++) {
            int j = k + random.nextInt(positions.length - k);
            int tmp = positions[k];
            positions[k] = positions[j];
            positions[j] = tmp;
            copy[positions[k]] = substitutes[random.nextInt(substitutes.length)];
        }
        return copy;
    }
}
