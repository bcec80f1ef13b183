package dev.mlx.engine.method;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import dev.mlx.api.train.Batch;
import dev.mlx.api.train.Losses;
import dev.mlx.api.train.Model;
import dev.mlx.api.train.Scalars;
import java.util.function.Function;

/**
 * The mean cross-entropy on perturbed inputs that the perturbation baselines penalise
 * ({@link CormProvider}, {@link PgdExProvider}), computed in chunks of whole examples:
 *
 * <pre>
 * mean = (1/B) sum_b CE( f(x'_b), y_b )      x' = the perturbed inputs of the chunk holding b
 * </pre>
 *
 * The per-sample losses are summed over the chunks and divided by {@code B} once, so the value
 * does not depend on the chunk size.
 */
final class ChunkedCrossEntropy {
    private ChunkedCrossEntropy() {}

    /**
     * @param model the network
     * @param batch the batch (its size {@code B} and labels)
     * @param chunk at most this many examples per model call; {@code <= 0} = the whole batch at once
     * @param perturbed the perturbed inputs of the examples selected by a row index {@code start:end}
     * @return the scalar {@code (1/B) sum_b CE(f(x'_b), y_b)}, differentiable through {@code f}
     */
    static NDArray mean(Model model, Batch batch, int chunk, Function<NDIndex, NDArray> perturbed) {
        long size = batch.size();
        long step = chunk <= 0 ? size : chunk;
        NDArray total = null;
        for (long start = 0; start < size; start += step) {
            long end = Math.min(size, start + step);
            NDIndex rows = new NDIndex("{}:{}", start, end);
            NDArray ce = Losses.perSampleCrossEntropy(model.logits(perturbed.apply(rows)), batch.labels().get(rows))
                    .sum();
            total = total == null ? ce : total.add(ce);
        }
        return Scalars.divide(total, size);
    }
}
