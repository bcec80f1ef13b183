package dev.mlx.engine.attribution;

import ai.djl.ndarray.NDArray;
import dev.mlx.api.error.MlxException;
import dev.mlx.api.param.ParameterSchema;
import dev.mlx.api.train.Losses;
import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * The scalar per example whose input gradient an attribution method explains (parameter
 * {@code target}):
 *
 * <ul>
 *   <li>{@link #LOGIT} ({@code logit}, the default): {@code F(x) = z_y(x)}, the logit of the explained
 *       class {@code y} (Simonyan et al. 2014; Sundararajan et al. 2017 use the class output);</li>
 *   <li>{@link #CROSS_ENTROPY} ({@code cross-entropy}): {@code F(x) = CE(z(x), y) = -log softmax(z(x))_y},
 *       the per-sample loss the regularizers penalise (RRR's "right reasons" gradient).</li>
 * </ul>
 */
public enum AttributionTarget {
    /** The logit of the explained class. */
    LOGIT("logit"),
    /** The per-sample softmax cross-entropy with the explained class. */
    CROSS_ENTROPY("cross-entropy");

    /** The name of the parameter selecting the target. */
    public static final String PARAMETER = "target";

    private final String id;

    AttributionTarget(String id) {
        this.id = id;
    }

    /** @return the value users write, e.g. {@code cross-entropy} */
    public String id() {
        return id;
    }

    /**
     * Declares the {@code target} parameter.
     *
     * @param builder the schema under construction
     * @return the builder
     */
    public static ParameterSchema.Builder declare(ParameterSchema.Builder builder) {
        return builder.addChoice(PARAMETER, LOGIT.id, Arrays.stream(values()).map(AttributionTarget::id).toList(),
                "the explained scalar: logit of the class (logit) or the per-sample cross-entropy (cross-entropy)");
    }

    /**
     * @param id a value of the {@code target} parameter
     * @return the target
     */
    public static AttributionTarget of(String id) {
        for (AttributionTarget t : values()) {
            if (t.id.equals(id)) {
                return t;
            }
        }
        throw MlxException.userError("unknown attribution target '" + id + "'; known targets: "
                + List.of(values()).stream().map(AttributionTarget::id).toList());
    }

    /**
     * @param labels the explained class per row, {@code [R]} (int64)
     * @param largestLabel the largest entry of {@code labels}, checked against the number of logits
     * @return maps logits {@code [R, C]} to {@code F} per row, {@code [R]}; differentiable
     */
    UnaryOperator<NDArray> objective(NDArray labels, long largestLabel) {
        return logits -> {
            long classes = logits.getShape().get(1);
            if (largestLabel >= classes) {
                throw MlxException.userError("attribution: label " + largestLabel + " is not a class of a model with "
                        + classes + " outputs; explain classes 0.." + (classes - 1));
            }
            if (this == CROSS_ENTROPY) {
                return Losses.perSampleCrossEntropy(logits, labels);
            }
            NDArray oneHot = labels.oneHot((int) classes).toType(logits.getDataType(), false);
            return logits.mul(oneHot).sum(new int[] {1});
        };
    }
}
