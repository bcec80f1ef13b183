package dev.mlx.engine.method;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.mlx.api.error.MlxException;
import dev.mlx.api.param.HyperParameters;
import dev.mlx.api.param.ParameterSchema;
import dev.mlx.api.train.FeatureColumns;
import dev.mlx.api.train.Losses;
import dev.mlx.api.train.MaskedInputs;
import dev.mlx.api.train.Model;
import dev.mlx.api.train.Regularizer;
import dev.mlx.api.train.RegularizerProvider;
import dev.mlx.api.train.Scalars;
import dev.mlx.engine.method.RandR4Provider.Sampling;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.UnaryOperator;

/**
 * Adv-R4, the adversarial form of the robust-attribution regularizer of Ghitu et al., "Model Guidance
 * via Robust Feature Attribution" (TMLR), Sec. 4.2.2; reference spec §6.2.
 *
 * <pre>
 * g(z)     = d/dz sum_n CE(f(z_n), y_n)                 (per-sample loss gradients)
 * B        = { x' : |x' - x| &lt;= eps * m }              (the masked box)
 * J(x')    = sum_features ((g(x') - g(x)) * m)^2        (per example)
 *
 * x_0      = x + u * m,  u ~ U(-eps, eps)              (random-start=true, default; else x_0 = x)
 * x_{t+1}  = Proj_B( x_t + alpha * sign(d_t) ),  t = 0..T-1   (no clamp to the data range)
 *     d_t  = grad_{x'} J(x') at x_t                     (ascent=gradient-difference, default: the paper;
 *                                                        double backprop through {@link Model#gradient})
 *     d_t  = g(x_t)                                     (ascent=loss: the reference code's direction, §6.1)
 * x_adv    = the iterate with the largest J, per example (keep-best=true, default; else x_T)
 *
 * penalty  = lambda * ( mean_n J_n(x_adv)  +  wc * sum_W ||W||_F^2 )
 * </pre>
 *
 * In the penalty both gradients, {@code g(x_adv)} and {@code g(x)}, are computed with create_graph,
 * so the term trains the parameters; {@code x_adv} is a constant (Danskin), the search runs on
 * detached values and each of its steps frees its graph. The defaults {@code k = 14, eps = 0.5,
 * T = 10, wc = 1e-4} are the reference's Decoy-MNIST values (Adam lr 0.002, 30 epochs, batch 1000,
 * §11.1). The step size {@code alpha} defaults to {@code eps / 4} (so the sign steps can cross the
 * box 2.5 times in T = 10 steps); the reference stepped by {@code eps}, which from the box's centre
 * lands on a corner at once. Unlike the reference (§14 item 3) the search maximises the masked
 * gradient difference, not the loss, and the penalty is not detached.
 *
 * <p>At {@code x' = x} the objective J has a stationary point ({@code grad J = 2 (dg/dx')^T
 * ((g(x') - g(x)) m^2) = 0}), so the exact ascent cannot leave a clean start: {@code random-start=false}
 * is only accepted together with {@code ascent=loss}. Examples are searched in chunks of at most
 * {@code internal-batch-size}; the examples do not interact, so the result does not depend on the
 * chunking.
 */
public final class AdvR4Provider implements RegularizerProvider {
    @Override
    public String name() {
        return "adv-r4";
    }

    @Override
    public String description() {
        return "Adv-R4 (Ghitu et al., TMLR): PGD in the masked box for the largest masked input-gradient change,"
                + " lambda * mean ||(grad L(x_adv) - grad L(x)) m||^2, differentiable";
    }

    @Override
    public ParameterSchema parameters() {
        return ParameterSchema.builder()
                .addDouble("lambda", 14.0, 0, Double.POSITIVE_INFINITY, "weight of the penalty (the papers' k)")
                .addDouble("epsilon", 0.5, 0, Double.POSITIVE_INFINITY, "half-width of the masked box")
                .addInt("steps", 10, 0, 100_000, "T: PGD iterations")
                .addDouble("step-size", 0, 0, Double.POSITIVE_INFINITY,
                        "alpha: sign-step size; 0 = epsilon / 4 (the reference used epsilon)")
                .addChoice("ascent", "gradient-difference", List.of("gradient-difference", "loss"),
                        "gradient-difference: ascend ||(grad L(x') - grad L(x)) m||^2 (the paper, double backprop);"
                                + " loss: ascend the cross-entropy (the reference code)")
                .addBoolean("random-start", true, "start at a uniform random point of the box instead of x")
                .addBoolean("keep-best", true, "return the iterate with the largest gradient difference, not the last")
                .addDouble("weight-l2", 1e-4, 0, Double.POSITIVE_INFINITY,
                        "wc: L2 on weights inside the penalty (multiplied by lambda)")
                .addInt("internal-batch-size", 1000, 0, Integer.MAX_VALUE,
                        "at most this many examples per model call; 0 = the whole batch at once")
                .build();
    }

    @Override
    public Regularizer create(HyperParameters params) {
        double lambda = params.getDouble("lambda");
        double weightL2 = params.getDouble("weight-l2");
        int internalBatchSize = params.getInt("internal-batch-size");
        Search search = Search.of(params);
        return (model, batch, context) -> {
            NDArray x = batch.inputs();
            NDArray m = batch.masks();
            NDArray y = batch.labels();
            int b = (int) batch.size();
            int chunk = Sampling.examplesPerChunk(internalBatchSize, 1, b);
            SplittableRandom[] streams = Sampling.perExample(context.seed(), b);
            NDArray sum = null;
            for (int from = 0; from < b; from += chunk) {
                int to = Math.min(b, from + chunk);
                NDArray xc = Sampling.rows(x, from, to, b);
                NDArray mc = Sampling.rows(m, from, to, b);
                NDArray yc = Sampling.rows(y, from, to, b);
                // on the mask's columns: the search moves only them, and the others add nothing to the sum
                FeatureColumns columns = model.maskedColumns(mc);
                MaskedInputs box = model.maskedInputs(xc, mc, columns);
                NDArray clean = model.maskedInputGradient(xc, mc, columns,
                        logits -> Losses.perSampleCrossEntropy(logits, yc)).gradient();
                NDArray maskColumns = columns.select(mc);
                NDArray adversarial = search.maximise(model, box, columns, yc, maskColumns, clean.stopGradient(),
                        streams, from);
                NDArray part = box.maskedInputGradient(adversarial, logits -> Losses.perSampleCrossEntropy(logits, yc))
                        .gradient().sub(clean).mul(maskColumns).square().sum();
                sum = sum == null ? part : sum.add(part);
            }
            NDArray term = Scalars.divide(sum, b);
            if (weightL2 > 0) {
                term = term.add(Scalars.times(Losses.sumOfSquares(model.weights(), term), weightL2));
            }
            return Scalars.times(term, lambda);
        };
    }

    /**
     * Per-sample cross-entropy input gradient, create_graph, on the masked features (zero elsewhere:
     * every caller multiplies it by the mask; {@link Model#maskedInputGradient}).
     */
    static NDArray lossGradient(Model model, NDArray inputs, NDArray labels, NDArray masks) {
        return model.maskedInputGradient(inputs, masks, logits -> Losses.perSampleCrossEntropy(logits, labels))
                .gradient();
    }

    /**
     * The per-example objective {@code J(x') = sum_features ((g(x') - g0) * m)^2}.
     *
     * @return shape {@code [c]}
     */
    static NDArray gradientDifference(Model model, NDArray inputs, NDArray labels, NDArray masks, NDArray g0) {
        return perExampleSquaredNorm(lossGradient(model, inputs, labels, masks).sub(g0).mul(masks));
    }

    private static NDArray perExampleSquaredNorm(NDArray a) {
        int[] axes = new int[a.getShape().dimension() - 1];
        Arrays.setAll(axes, i -> i + 1);
        return a.square().sum(axes);
    }

    /**
     * The PGD search of Adv-R4 (see the class javadoc), separate so tests can inspect the point it
     * finds.
     */
    record Search(double epsilon, int steps, double stepSize, boolean lossAscent, boolean randomStart,
            boolean keepBest) {

        static Search of(HyperParameters params) {
            double epsilon = params.getDouble("epsilon");
            double stepSize = params.getDouble("step-size");
            boolean lossAscent = params.getString("ascent").equals("loss");
            boolean randomStart = params.getBoolean("random-start");
            if (!randomStart && !lossAscent) {
                throw MlxException.userError("adv-r4: random-start=false needs ascent=loss: the gradient-difference"
                        + " objective is stationary at the clean point, so the search would never move; set"
                        + " random-start=true or ascent=loss");
            }
            return new Search(epsilon, params.getInt("steps"), stepSize == 0 ? epsilon / 4 : stepSize, lossAscent,
                    randomStart, params.getBoolean("keep-best"));
        }

        /**
         * The start point: {@code x + u * m} with {@code u ~ U(-eps, eps)} from each example's
         * stream, or {@code x}: {@link #start(NDManager, NDArray, FeatureColumns, NDArray,
         * SplittableRandom[], int)} on every feature.
         */
        NDArray start(NDArray x, NDArray masks, SplittableRandom[] streams, int from) {
            FeatureColumns every = FeatureColumns.all(x);
            return start(x.getManager(), every.select(x), every, every.select(masks), streams, from)
                    .reshape(x.getShape());
        }

        /**
         * Runs the search for the examples {@code x} (rows {@code from ...} of the batch).
         *
         * @param g0 the clean per-sample loss gradient, detached
         * @return the adversarial point, detached, on {@code x}'s manager
         */
        NDArray maximise(Model model, NDArray x, NDArray labels, NDArray masks, NDArray g0,
                SplittableRandom[] streams, int from) {
            FeatureColumns columns = model.maskedColumns(masks);
            NDArray found = maximise(model, model.maskedInputs(x, masks, columns), columns, labels,
                    columns.select(masks), columns.select(g0), streams, from);
            NDArray point = columns.replace(x, found);
            point.attach(x.getManager());
            return point;
        }

        /**
         * The search on the mask's columns: every point is the batch with its columns moved, all
         * element-wise work is on {@code [B, K]}.
         *
         * @param box the batch with its masked columns free ({@link Model#maskedInputs})
         * @param columns the mask's columns
         * @param masks the masks on the columns, {@code [B, K]}
         * @param g0 the clean per-sample loss gradient on the columns, detached, {@code [B, K]}
         * @return the adversarial values of the columns, detached, {@code [B, K]}, on the masks' manager
         */
        NDArray maximise(Model model, MaskedInputs box, FeatureColumns columns, NDArray labels, NDArray masks,
                NDArray g0, SplittableRandom[] streams, int from) {
            NDManager outer = masks.getManager();
            try (NDManager scope = outer.newSubManager()) {
                NDArray x = box.columnValues();
                x.attach(scope);
                NDArray lower = Scalars.times(masks, -epsilon);
                lower.attach(scope);
                NDArray upper = Scalars.times(masks, epsilon);
                upper.attach(scope);
                NDArray y = labels.duplicate();
                y.attach(scope);
                UnaryOperator<NDArray> loss = logits -> Losses.perSampleCrossEntropy(logits, y);
                NDArray current = start(scope, x, columns, masks, streams, from);
                NDArray best = current;
                NDArray bestValue = null;
                for (int t = 0; t <= steps; t++) {
                    boolean move = t < steps;
                    if (!move && !keepBest) {
                        break;
                    }
                    try (NDManager step = scope.newSubManager()) {
                        NDArray xt = current.duplicate();
                        xt.attach(step);
                        NDArray value;
                        NDArray direction = null;
                        if (move && !lossAscent) {
                            NDArray[] objective = new NDArray[1];
                            NDArray ascent = model.detachedGradient(xt, p -> {
                                objective[0] = perExampleSquaredNorm(box.maskedInputGradient(p, loss).gradient()
                                        .sub(g0).mul(masks));
                                return objective[0];
                            });
                            value = objective[0].stopGradient();
                            direction = ascent.sign();
                        } else {
                            NDArray g = box.maskedInputGradient(xt, loss).gradient().stopGradient();
                            value = perExampleSquaredNorm(g.sub(g0).mul(masks));
                            // zero outside the mask, where the box allows no move anyway
                            direction = move ? g.sign() : null;
                        }
                        if (keepBest) {
                            if (bestValue == null) {
                                bestValue = value;
                            } else {
                                NDArray improved = value.gt(bestValue);
                                best = NDArrays.where(improved.reshape(-1, 1).broadcast(xt.getShape()), xt, best);
                                bestValue = bestValue.maximum(value);
                                best.attach(scope);
                            }
                            bestValue.attach(scope);
                        }
                        if (move) {
                            NDArray delta = xt.add(Scalars.times(direction, stepSize)).sub(x).maximum(lower)
                                    .minimum(upper);
                            current = delta.add(x);
                            current.attach(scope);
                        }
                    }
                }
                NDArray result = keepBest ? best : current;
                result.attach(outer);
                return result;
            }
        }

        /**
         * The start point on the columns: {@code x + u * m}, {@code u ~ U(-eps, eps)} drawn for every
         * feature of an example from its stream and read on the columns (so the draws do not depend on
         * the columns), or {@code x}; with its temporaries on {@code manager}.
         *
         * @param x the batch on the columns, {@code [B, K]}
         * @param masks the masks on the columns, {@code [B, K]}
         */
        private NDArray start(NDManager manager, NDArray x, FeatureColumns columns, NDArray masks,
                SplittableRandom[] streams, int from) {
            if (!randomStart) {
                NDArray copy = x.duplicate();
                copy.attach(manager);
                return copy;
            }
            int c = (int) x.getShape().get(0);
            NDArray u = Sampling.uniform(manager, x.getDataType(), streams, from, from + c, 1,
                    new Shape(columns.features()), -epsilon, epsilon);
            return columns.select(u.reshape(c, columns.features())).mul(masks).add(x);
        }
    }
}
