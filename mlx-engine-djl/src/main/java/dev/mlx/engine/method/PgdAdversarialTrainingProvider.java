package dev.mlx.engine.method;

import ai.djl.ndarray.NDArray;
import dev.mlx.api.param.HyperParameters;
import dev.mlx.api.param.ParameterSchema;
import dev.mlx.api.train.Batch;
import dev.mlx.api.train.Losses;
import dev.mlx.api.train.Model;
import dev.mlx.api.train.Regularizer;
import dev.mlx.api.train.RegularizerProvider;
import dev.mlx.api.train.TrainingContext;

/**
 * PGD adversarial training (Madry, Makelov, Schmidt, Tsipras and Vladu, "Towards Deep Learning
 * Models Resistant to Adversarial Attacks", ICLR 2018), the robustness baseline of seed 004
 * (reference spec §13.2). Not mask-guided.
 *
 * <pre>
 * x'_0     = clamp(x + U(-eps, eps))                         (random start, from the step seed)
 * x'_{t+1} = clamp( proj_{||x' - x||_inf <= eps}( x'_t + a * sign( d/dx' CE(f(x'_t), y) ) ) )
 * loss     = (1 - mix) * mean_b CE(f(x_b), y_b) + mix * mean_b CE(f(x'_b), y_b)
 * </pre>
 *
 * {@code clamp} is the clip to the pixel range {@code [0, 1]} ({@code clamp=true}, the default) or
 * the identity. The final point {@code x'} is a constant (Danskin): the gradient reaches the
 * parameters through {@code CE(f(x'), y)} only. The engine computes the task loss on {@code x};
 * this regularizer sets its weight to {@code 1 - mix} ({@link Regularizer#taskLossWeight}) and
 * returns {@code mix * mean_b CE(f(x'_b), y_b)}, so {@code mix = 1} (the default) is Madry's
 * objective and {@code mix = 0.5} the half-clean mix of Goodfellow et al. (2015).
 *
 * <p>Defaults: {@code epsilon = 0.3} (MNIST, Madry et al. and §13.2); {@code steps = 10} (the paper
 * uses 40) with {@code step-size = 0.04}, so that {@code steps * step-size = 0.4 = 4/3 eps}, the same
 * total travel as the paper's 40 steps of 0.01. The attack runs over chunks of at most
 * {@code internal-batch-size} examples; every inner step lives in its own sub-manager, so no
 * autograd graph accumulates across steps.
 */
public final class PgdAdversarialTrainingProvider implements RegularizerProvider {
    @Override
    public String name() {
        return "pgd-at";
    }

    @Override
    public String description() {
        return "PGD adversarial training (Madry et al. 2018): CE on an l-inf PGD point, masks unused";
    }

    @Override
    public boolean usesMasks() {
        return false;
    }

    @Override
    public ParameterSchema parameters() {
        ParameterSchema.Builder b = ParameterSchema.builder();
        addAttackParameters(b);
        return b.addDouble("mix", 1.0, 0, 1, "loss = (1 - mix) * CE(x) + mix * CE(x'); 1 = Madry's objective")
                .addInt("internal-batch-size", 1000, 0, Integer.MAX_VALUE,
                        "examples per forward pass in the attack and the penalty (0 = the whole batch)")
                .build();
    }

    /** Declares epsilon, steps, step-size and clamp (shared with the IG-NORM providers). */
    static void addAttackParameters(ParameterSchema.Builder b) {
        b.addDouble("epsilon", 0.3, 0, Double.POSITIVE_INFINITY, "radius of the l-inf ball of the attack")
                .addInt("steps", 10, 0, 100_000, "PGD steps after the random start")
                .addDouble("step-size", 0.04, 0, Double.POSITIVE_INFINITY, "PGD step size a (sign steps)")
                .addBoolean("clamp", true, "clip every attack point to the pixel range [0, 1]");
    }

    @Override
    public Regularizer create(HyperParameters params) {
        SignPgd pgd = SignPgd.from(params);
        double mix = params.getDouble("mix");
        int chunk = params.getInt("internal-batch-size");
        return new Regularizer() {
            @Override
            public NDArray penalty(Model model, Batch batch, TrainingContext context) {
                NDArray x = batch.inputs();
                NDArray y = batch.labels();
                NDArray xAdv = pgd.run(x, null, y, context.seed(), chunk, SignPgd.crossEntropy(model));
                NDArray total = null;
                int b = (int) batch.size();
                int size = chunk <= 0 ? b : Math.min(b, chunk);
                for (int from = 0; from < b; from += size) {
                    int to = Math.min(b, from + size);
                    NDArray ce = Losses.perSampleCrossEntropy(model.logits(SignPgd.rows(xAdv, from, to)),
                            SignPgd.rows(y, from, to)).sum();
                    total = total == null ? ce : total.add(ce);
                }
                return SignPgd.scale(total, mix / b);
            }

            @Override
            public double taskLossWeight(TrainingContext context) {
                return 1 - mix;
            }
        };
    }
}
