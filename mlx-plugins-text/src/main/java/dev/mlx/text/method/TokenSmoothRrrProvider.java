package dev.mlx.text.method;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.types.Shape;
import dev.mlx.api.param.HyperParameters;
import dev.mlx.api.param.ParameterSchema;
import dev.mlx.api.train.Regularizer;
import dev.mlx.api.train.RegularizerProvider;
import dev.mlx.api.train.Scalars;
import dev.mlx.api.train.TokenEmbeddings;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * Smooth-R3 on text (Ghitu et al., "Model Guidance via Robust Feature Attribution", TMLR,
 * Appendix C; spec §10.3): RRR on the mean embedding gradient over random token substitutions, the
 * discrete analogue of SmoothGrad (Smilkov et al., 2017),
 *
 * <pre>
 * x_s     = x with n = floor(alpha * #tokens) random inner positions replaced by ids ~ U(vocabulary \ {pad})
 *           (s = 1..S; [CLS], [SEP] and padding are kept)
 * G_bar   = mean_s G(x_s)                                   ({@link TokenGradients}, create_graph)
 * penalty = lambda * (1/B) sum_n sum_{t,d} (M[n,t] * G_bar[n,t,d])^2
 * </pre>
 *
 * {@code M} is the mask of the original text. Draws come from per-example streams seeded by the
 * step seed. Examples are processed in chunks of {@code internal-batch-size} (each contributes S
 * rows); the result does not depend on the chunking.
 */
public final class TokenSmoothRrrProvider implements RegularizerProvider {
    @Override
    public String name() {
        return "token-smooth-rrr";
    }

    @Override
    public String description() {
        return "Smooth-R3 on text: RRR on the mean word-embedding gradient over random token substitutions";
    }

    @Override
    public boolean forTokenModels() {
        return true;
    }

    @Override
    public Optional<String> tokenModelCounterpartOf() {
        return Optional.of("smooth-rrr");
    }

    @Override
    public ParameterSchema parameters() {
        return ParameterSchema.builder()
                .addDouble("lambda", 10.0, 0, Double.POSITIVE_INFINITY, "weight of the penalty")
                .addDouble("alpha", 0.25, 0, 1, "fraction of the tokens replaced in each sample")
                .addInt("samples", 3, 1, 1000, "S: substituted copies per example")
                .addInt("internal-batch-size", 8, 1, Integer.MAX_VALUE, "examples per model call (S rows each)")
                .build();
    }

    @Override
    public Regularizer create(HyperParameters params) {
        double lambda = params.getDouble("lambda");
        double alpha = params.getDouble("alpha");
        int samples = params.getInt("samples");
        int chunk = params.getInt("internal-batch-size");
        return (model, batch, context) -> {
            TokenEmbeddings te = model.tokenEmbeddings();
            long[][] ids = TokenRows.ids(batch.inputs());
            int b = ids.length;
            SplittableRandom seeds = new SplittableRandom(context.seed());
            SplittableRandom[] streams = new SplittableRandom[b];
            for (int i = 0; i < b; i++) {
                streams[i] = seeds.split();
            }
            NDArray total = null;
            for (int from = 0; from < b; from += chunk) {
                int to = Math.min(b, from + chunk);
                int c = to - from;
                long[][] rows = new long[samples * c][];
                for (int s = 0; s < samples; s++) {
                    for (int i = from; i < to; i++) {
                        rows[s * c + i - from] = substitute(ids[i], alpha, te, streams[i]);
                    }
                }
                NDArray labels = repeat(batch.labels(), from, to, samples);
                NDArray g = TokenGradients.lossGradient(te, TokenRows.array(context.manager(), rows), labels);
                Shape gs = g.getShape();
                NDArray mean = g.reshape(samples, c, gs.get(1), gs.get(2)).mean(new int[] {0});
                NDArray part = TokenGradients.maskedSquares(mean, batch.masks().get(from + ":" + to)).sum();
                total = total == null ? part : total.add(part);
            }
            return Scalars.times(Scalars.divide(total, b), lambda);
        };
    }

    private static long[] substitute(long[] row, double alpha, TokenEmbeddings te, SplittableRandom random) {
        long[] copy = row.clone();
        int[] inner = TokenRows.inner(row, te.padId());
        int n = (int) Math.floor(alpha * (inner.length + 2));
        n = Math.min(n, inner.length);
        for (int k = 0; k < n; k++) {
            int j = k + random.nextInt(inner.length - k);
            int tmp = inner[k];
            inner[k] = inner[j];
            inner[j] = tmp;
            long id = random.nextLong(te.vocabularySize() - 1);
            copy[inner[k]] = id >= te.padId() ? id + 1 : id;
        }
        return copy;
    }

    /** Labels of examples {@code [from, to)} repeated {@code times} times, sample-major. */
    static NDArray repeat(NDArray labels, int from, int to, int times) {
        NDArray slice = labels.get(from + ":" + to);
        List<NDArray> copies = new ArrayList<>();
        for (int s = 0; s < times; s++) {
            copies.add(slice);
        }
        return NDArrays.concat(new ai.djl.ndarray.NDList(copies));
    }
}
