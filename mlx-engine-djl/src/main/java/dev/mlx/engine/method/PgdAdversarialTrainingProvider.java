package dev.mlx.engine.method;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import dev.mlx.api.param.HyperParameters;
import dev.mlx.api.param.ParameterSchema;
import dev.mlx.api.train.Batch;
import dev.mlx.api.train.Losses;
import dev.mlx.api.train.Model;
import dev.mlx.api.train.Regularizer;
import dev.mlx.api.train.RegularizerProvider;
import dev.mlx.api.train.TrainingContext;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

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
        Pgd pgd = Pgd.from(params);
        double mix = params.getDouble("mix");
        int chunk = params.getInt("internal-batch-size");
        return new Regularizer() {
            @Override
            public NDArray penalty(Model model, Batch batch, TrainingContext context) {
                NDArray x = batch.inputs();
                NDArray y = batch.labels();
                NDArray xAdv = pgd.run(x, y, context.seed(), chunk, (xs, ys, ps) -> model.inputGradient(ps,
                        logits -> Losses.perSampleCrossEntropy(logits, ys)).gradient());
                NDArray total = null;
                int b = (int) batch.size();
                int size = chunk <= 0 ? b : Math.min(b, chunk);
                for (int from = 0; from < b; from += size) {
                    int to = Math.min(b, from + size);
                    NDArray ce = Losses.perSampleCrossEntropy(model.logits(rows(xAdv, from, to)), rows(y, from, to))
                            .sum();
                    total = total == null ? ce : total.add(ce);
                }
                return scale(total, mix / b);
            }

            @Override
            public double taskLossWeight(TrainingContext context) {
                return 1 - mix;
            }
        };
    }

    /** {@code a * s} in {@code a}'s data type (a float64 array is scaled in double precision). */
    static NDArray scale(NDArray a, double s) {
        return a.getDataType() == DataType.FLOAT64 ? a.mul(s) : a.mul((float) s);
    }

    /** {@code a + s} in {@code a}'s data type (a float64 array is shifted in double precision). */
    static NDArray shift(NDArray a, double s) {
        return a.getDataType() == DataType.FLOAT64 ? a.add(s) : a.add((float) s);
    }

    /** Rows {@code [from, to)} of {@code a} (a view on {@code a}'s manager). */
    static NDArray rows(NDArray a, int from, int to) {
        if (from == 0 && to == a.getShape().get(0)) {
            return a;
        }
        return a.get(new NDIndex("{}:{}", from, to));
    }

    /** The ascent direction of an attack: any tensor whose element-wise sign is the step. */
    @FunctionalInterface
    interface AscentDirection {
        /**
         * @param x the clean inputs of the chunk (constants)
         * @param labels their labels
         * @param xAdv the current attack point (detached)
         * @return the gradient of the attack objective with respect to {@code xAdv} (its graph is
         *     discarded after the step)
         */
        NDArray gradient(NDArray x, NDArray labels, NDArray xAdv);
    }

    /**
     * Projected gradient ascent with sign steps in the l-inf ball around {@code x}, random start
     * {@code U(-eps, eps)}, optional clip to {@code [0, 1]} after the start and after every step
     * (Madry et al. 2018). The objective must be a sum of per-example terms: the batch is attacked
     * in independent chunks of examples.
     *
     * @param epsilon the radius
     * @param steps the number of steps after the random start
     * @param stepSize the step size {@code a}
     * @param clamp whether to clip to {@code [0, 1]}
     */
    record Pgd(double epsilon, int steps, double stepSize, boolean clamp) {
        static Pgd from(HyperParameters p) {
            return new Pgd(p.getDouble("epsilon"), p.getInt("steps"), p.getDouble("step-size"), p.getBoolean("clamp"));
        }

        /**
         * @param x the inputs {@code [B, ...]}
         * @param labels the labels {@code [B]}
         * @param seed the seed of the random start (one draw for the whole batch, so the result
         *     does not depend on the chunking)
         * @param examplesPerChunk examples per attack chunk, {@code 0} = all
         * @param direction the ascent direction
         * @return the attack points, detached, on {@code x}'s manager
         */
        NDArray run(NDArray x, NDArray labels, long seed, int examplesPerChunk, AscentDirection direction) {
            NDArray start = randomStart(x, seed);
            int b = (int) x.getShape().get(0);
            int size = examplesPerChunk <= 0 ? b : Math.min(b, examplesPerChunk);
            List<NDArray> parts = new ArrayList<>();
            for (int from = 0; from < b; from += size) {
                int to = Math.min(b, from + size);
                NDArray xc = rows(x, from, to);
                NDArray yc = rows(labels, from, to);
                NDArray xAdv = rows(start, from, to);
                for (int t = 0; t < steps; t++) {
                    xAdv = step(xc, yc, xAdv, direction);
                }
                parts.add(xAdv);
            }
            return parts.size() == 1 ? parts.get(0) : NDArrays.concat(new NDList(parts), 0);
        }

        /** {@code clamp(x + U(-eps, eps))}, in {@code x}'s data type, from {@code seed} only. */
        NDArray randomStart(NDArray x, long seed) {
            SplittableRandom random = new SplittableRandom(seed);
            int n = Math.toIntExact(x.size());
            NDManager manager = x.getManager();
            NDArray noise;
            if (x.getDataType() == DataType.FLOAT64) {
                double[] d = new double[n];
                for (int i = 0; i < n; i++) {
                    d[i] = (random.nextDouble() * 2 - 1) * epsilon;
                }
                noise = manager.create(d, x.getShape());
            } else {
                float[] f = new float[n];
                for (int i = 0; i < n; i++) {
                    f[i] = (float) ((random.nextDouble() * 2 - 1) * epsilon);
                }
                noise = manager.create(f, x.getShape());
                if (x.getDataType() != DataType.FLOAT32) {
                    noise = noise.toType(x.getDataType(), false);
                }
            }
            NDArray start = x.add(noise);
            return clamp ? start.clip(0, 1) : start;
        }

        /**
         * One projected sign step, computed in a sub-manager that is closed at once, so the
         * autograd graph of the ascent direction is freed and nothing accumulates across steps.
         */
        private NDArray step(NDArray x, NDArray labels, NDArray xAdv, AscentDirection direction) {
            NDManager outer = xAdv.getManager();
            try (NDManager scope = outer.newSubManager()) {
                NDArray xs = copy(x, scope);
                NDArray ys = copy(labels, scope);
                NDArray ps = copy(xAdv, scope);
                NDArray g = direction.gradient(xs, ys, ps).stopGradient();
                NDArray next = scale(g.sign(), stepSize).add(ps);
                next = next.minimum(shift(xs, epsilon)).maximum(shift(xs, -epsilon));
                if (clamp) {
                    next = next.clip(0, 1);
                }
                next.attach(outer);
                return next;
            }
        }

        private static NDArray copy(NDArray a, NDManager scope) {
            NDArray c = a.duplicate();
            c.attach(scope);
            return c;
        }
    }
}
