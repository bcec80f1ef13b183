package dev.mlx.engine.method;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import dev.mlx.api.param.HyperParameters;
import dev.mlx.api.param.ParameterSchema;
import dev.mlx.api.train.Batch;
import dev.mlx.api.train.Interval;
import dev.mlx.api.train.Losses;
import dev.mlx.api.train.Model;
import dev.mlx.api.train.Regularizer;
import dev.mlx.api.train.RegularizerProvider;
import dev.mlx.api.train.TrainingContext;
import dev.mlx.api.train.Scalars;

/**
 * IBP-Ex, from Heo et al., "Use Perturbations when Learning from Explanations" (NeurIPS 2023;
 * code {@code vihari/robust_mlx}, {@code LitIBPClassifier} + {@code AttributionIBPRegularizer}), in
 * its original form (reference spec §5.2), with the defect of the R4 repository's copy fixed (spec
 * §5.1 and §14 item 4: there the softmax ran over a singleton axis, so the term was the constant
 * {@code ln C} and trained nothing).
 *
 * <p>Interval bound propagation over the masked box {@code [x - eps_t*m, x + eps_t*m]} gives logit
 * bounds {@code [z_L, z_U]}; the worst-case logits take the lower bound at the true class and the
 * upper bound elsewhere, and their single-softmax cross-entropy is the penalty:
 *
 * <pre>
 * z~_b    = z_U_b + onehot(y_b) * (z_L_b - z_U_b)
 * S       = { b : sum(m_b) > 0 }                 (samples with a non-empty mask)
 * reg     = sum_{b in S} CE(z~_b, y_b) / max(1, |S|)     (0 if S is empty)
 * loss    = alpha_t * CE(f(x), y) + (1 - alpha_t) * lambda * reg + lambda * wc * sum_W ||W||_F^2
 * </pre>
 *
 * The task weight {@code alpha_t} is returned by {@link Regularizer#taskLossWeight}, the rest by
 * {@link Regularizer#penalty}. {@code wc} ({@code weight-l2}, default 0) is not part of the original
 * method; it is the R4 repository's weight term (spec §5.1, §11.1: {@code k = 4, wc = 2e-4}), which
 * is multiplied by {@code lambda} as there (and as in {@link RrrProvider}), not by {@code 1 - alpha_t}.
 *
 * <p><b>Schedules</b> ({@link #schedule}), linear in the 0-based epoch {@code e} of {@code E}:
 * {@code v(e) = start + (end - start) * e / (E - 1)}, and {@code v = end} when {@code E = 1}. So
 * {@code alpha} goes from {@code alpha-start} (1) at the first epoch to {@code alpha-end} (0.5) at
 * the last one, and {@code eps} from {@code epsilon-start} (0) to {@code epsilon-start + epsilon}.
 * This is the paper's "alpha from 1 to 0.5, eps from 0 to eps_max"; robust_mlx steps after every
 * epoch ({@code alpha -= 0.5 alpha_0 / E}, {@code eps += eps_max / E}) and so stops one step short of
 * the end values. With {@code E > 1} the first epoch is plain ERM ({@code alpha = 1}).
 *
 * <p>The default {@code epsilon = 0.25} is the Decoy-MNIST IBP-Ex radius of spec §11.1 (pixels in
 * [0, 1]). Supports the layers the engine bounds (Linear, ReLU, Flatten, Conv2d); any other layer is refused
 * with its name.
 */
public final class IbpExProvider implements RegularizerProvider {
    @Override
    public String name() {
        return "ibp-ex";
    }

    @Override
    public String description() {
        return "IBP-Ex (Heo et al., NeurIPS 2023): alpha*CE(f(x)) + (1-alpha)*CE(worst-case IBP logits over"
                + " [x-eps*m, x+eps*m]), alpha and eps on linear epoch schedules";
    }

    @Override
    public ParameterSchema parameters() {
        return schema(0.25).build();
    }

    /** The IBP-Ex parameters, with the given default for {@code epsilon} (shared with ibp-ex-rrr). */
    static ParameterSchema.Builder schema(double defaultEpsilon) {
        return ParameterSchema.builder()
                .addDouble("lambda", 1.0, 0, Double.POSITIVE_INFINITY,
                        "weight of the worst-case cross-entropy (on top of 1 - alpha)")
                .addDouble("epsilon", defaultEpsilon, 0, Double.POSITIVE_INFINITY,
                        "eps_max: the box radius grows from epsilon-start to epsilon-start + epsilon")
                .addDouble("epsilon-start", 0.0, 0, Double.POSITIVE_INFINITY, "box radius at the first epoch")
                .addDouble("alpha-start", 1.0, 0, 1, "weight of the task loss at the first epoch")
                .addDouble("alpha-end", 0.5, 0, 1, "weight of the task loss at the last epoch")
                .addDouble("weight-l2", 0.0, 0, Double.POSITIVE_INFINITY,
                        "wc: lambda * wc * sum W^2 in the penalty (the R4 repository's variant; 0 = original)");
    }

    @Override
    public Regularizer create(HyperParameters params) {
        return new IbpEx(params.getDouble("lambda"), params.getDouble("epsilon-start"),
                params.getDouble("epsilon-start") + params.getDouble("epsilon"), params.getDouble("alpha-start"),
                params.getDouble("alpha-end"), params.getDouble("weight-l2"));
    }

    /**
     * A linear epoch schedule: {@code start + (end - start) * epoch / (epochs - 1)}, or {@code end}
     * when {@code epochs <= 1}; epochs past the last one keep the end value.
     *
     * @param start the value at epoch 0
     * @param end the value at epoch {@code epochs - 1}
     * @param epoch the 0-based epoch, {@code >= 0}
     * @param epochs the number of epochs, {@code >= 1}
     * @return the value at {@code epoch}
     */
    public static double schedule(double start, double end, int epoch, int epochs) {
        if (epoch < 0 || epochs < 1) {
            throw new IllegalArgumentException("need epoch >= 0 and epochs >= 1, got epoch " + epoch + " of " + epochs);
        }
        if (epochs == 1 || epoch >= epochs - 1) {
            return end;
        }
        return start + (end - start) * epoch / (epochs - 1);
    }

    /**
     * The worst-case cross-entropy {@code reg} of the class comment (unweighted), a scalar on the
     * batch's manager, differentiable with respect to the parameters.
     */
    static NDArray worstCaseCrossEntropy(Model model, Batch batch, double epsilon) {
        NDArray x = batch.inputs();
        NDArray m = batch.masks();
        Interval logits = model.intervalBounds().propagateMaskedBox(x, m, epsilon).logits();
        NDArray lower = logits.lower();
        NDArray upper = logits.upper();
        int classes = (int) lower.getShape().get(1);
        NDArray oneHot = batch.labels().oneHot(classes).toType(lower.getDataType(), false);
        NDArray worst = upper.add(oneHot.mul(lower.sub(upper)));
        NDArray ce = Losses.perSampleCrossEntropy(worst, batch.labels());
        NDArray hasMask = m.reshape(batch.size(), -1).abs().sum(new int[] {1}).gt(0).toType(ce.getDataType(), false);
        double count = hasMask.sum().toType(DataType.FLOAT64, false).getDouble();
        return Scalars.divide(ce.mul(hasMask).sum(), Math.max(1.0, count));
    }

    /** The IBP-Ex regularizer: penalty and task-loss weight on the schedules. */
    static final class IbpEx implements Regularizer {
        private final double lambda;
        private final double epsilonStart;
        private final double epsilonEnd;
        private final double alphaStart;
        private final double alphaEnd;
        private final double weightL2;

        IbpEx(double lambda, double epsilonStart, double epsilonEnd, double alphaStart, double alphaEnd,
                double weightL2) {
            this.lambda = lambda;
            this.epsilonStart = epsilonStart;
            this.epsilonEnd = epsilonEnd;
            this.alphaStart = alphaStart;
            this.alphaEnd = alphaEnd;
            this.weightL2 = weightL2;
        }

        double alpha(TrainingContext context) {
            return schedule(alphaStart, alphaEnd, context.epoch(), context.epochs());
        }

        double epsilon(TrainingContext context) {
            return schedule(epsilonStart, epsilonEnd, context.epoch(), context.epochs());
        }

        @Override
        public double taskLossWeight(TrainingContext context) {
            return alpha(context);
        }

        @Override
        public NDArray penalty(Model model, Batch batch, TrainingContext context) {
            NDArray reg = worstCaseCrossEntropy(model, batch, epsilon(context));
            NDArray penalty = Scalars.times(reg, (1 - alpha(context)) * lambda);
            if (weightL2 > 0) {
                penalty = penalty.add(Scalars.times(Losses.sumOfSquares(model.weights(), penalty), lambda * weightL2));
            }
            return penalty;
        }
    }
}
