package dev.mlx.engine.method;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import dev.mlx.api.param.HyperParameters;
import dev.mlx.api.param.ParameterSchema;
import dev.mlx.api.train.Model;
import dev.mlx.api.train.Regularizer;
import dev.mlx.api.train.RegularizerProvider;
import dev.mlx.api.train.Scalars;
import java.util.function.Function;

/**
 * PGD-Ex, from Heo et al., "Use Perturbations when Learning from Explanations" (NeurIPS 2023;
 * code {@code vihari/robust_mlx}, {@code LitPGDClassifier}), reference spec §6.3: adversarial
 * training in which only the masked (irrelevant) features may be perturbed.
 *
 * <pre>
 * adv_0     = x                                              (no random start, no [0,1] clamp)
 * adv_{t+1} = clamp( adv_t + (eps/T) * sign( d/d adv sum_b CE(f(adv_t)_b, y_b) ),
 *                    x - m*eps, x + m*eps )                  t = 0 .. T-1
 * penalty   = lambda * (1/B) sum_b CE( f(adv_T)_b, y_b )
 * </pre>
 *
 * so the training loss is {@code CE(f(x), y) + lambda * CE(f(adv), y)}, robust_mlx's loss for
 * {@code lambda = 1} (the authors' class weights are left to the task loss). The inner steps use
 * only the value of the input gradient: each is computed on its own sub-manager and detached, so no
 * graph accumulates over the iterations. The adversarial point is then a constant and the penalty
 * is differentiated through {@code f} at that point only (Danskin's theorem). The batch is attacked
 * in chunks of at most {@code internal-batch-size} examples; since the attack of one example does not
 * depend on the others and the per-sample losses are summed and divided by {@code B}, chunking does
 * not change the value.
 *
 * <p>Defaults: {@code T = 7} (the paper); {@code epsilon = 0.25}, the Decoy-MNIST training radius of
 * IBP-Ex in spec §11.1 (no PGD-Ex run is listed there), on pixels in [0, 1].
 */
public final class PgdExProvider implements RegularizerProvider {
    @Override
    public String name() {
        return "pgd-ex";
    }

    @Override
    public String description() {
        return "PGD-Ex (Heo et al., NeurIPS 2023): lambda * CE(f(adv), y), adv = T-step PGD inside [x-eps*m, x+eps*m]";
    }

    @Override
    public ParameterSchema parameters() {
        return ParameterSchema.builder()
                .addDouble("lambda", 1.0, 0, Double.POSITIVE_INFINITY, "weight of the adversarial cross-entropy")
                .addDouble("epsilon", 0.25, 0, Double.POSITIVE_INFINITY,
                        "radius of the masked box [x - eps*m, x + eps*m]; step size eps/steps")
                .addInt("steps", 7, 1, 10_000, "number of PGD steps T")
                .addInt("internal-batch-size", 1000, 0, Integer.MAX_VALUE,
                        "attack at most this many examples at once (0 = the whole batch)")
                .build();
    }

    @Override
    public Regularizer create(HyperParameters params) {
        double lambda = params.getDouble("lambda");
        double epsilon = params.getDouble("epsilon");
        int steps = params.getInt("steps");
        int chunk = params.getInt("internal-batch-size");
        return (model, batch, context) -> {
            Function<NDIndex, NDArray> adversarial = rows -> attack(model, batch.inputs().get(rows),
                    batch.masks().get(rows), batch.labels().get(rows), epsilon, steps);
            return Scalars.times(ChunkedCrossEntropy.mean(model, batch, chunk, adversarial), lambda);
        };
    }

    /**
     * The PGD-Ex attack (see the class comment). The result is detached (a constant), on the manager
     * of {@code x}, and lies in {@code [x - eps*m, x + eps*m]}.
     *
     * @param model the network
     * @param x the inputs {@code [B, ...]}
     * @param m the masks, shape of {@code x}
     * @param labels the labels {@code [B]}
     * @param epsilon the radius
     * @param steps the number of steps {@code T >= 1}
     * @return the adversarial inputs
     */
    static NDArray attack(Model model, NDArray x, NDArray m, NDArray labels, double epsilon, int steps) {
        return new SignPgd(epsilon, steps, epsilon / steps, false, false).run(x, m, labels, 0L, 0,
                SignPgd.crossEntropy(model));
    }
}
