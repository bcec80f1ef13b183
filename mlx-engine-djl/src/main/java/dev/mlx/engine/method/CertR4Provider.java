package dev.mlx.engine.method;

import ai.djl.ndarray.NDArray;
import dev.mlx.api.param.HyperParameters;
import dev.mlx.api.param.ParameterSchema;
import dev.mlx.api.train.FeatureColumns;
import dev.mlx.api.train.Interval;
import dev.mlx.api.train.IntervalBounds;
import dev.mlx.api.train.IntervalPass;
import dev.mlx.api.train.Regularizer;
import dev.mlx.api.train.RegularizerProvider;
import dev.mlx.api.train.Scalars;
import java.util.List;

/**
 * Cert-R4, the certified robust-attribution regularizer of Ghitu et al., "Model Guidance via
 * Robust Feature Attribution" (TMLR), reference spec §3.
 *
 * <p>Interval bound propagation over the masked box {@code [x - eps*m, x + eps*m]} gives the logit
 * interval; {@link CrossEntropyBounds} turns it into an interval on {@code dL/dz} of the
 * per-sample single-softmax cross-entropy; the backward interval pass gives
 * {@code [eta_L, eta_U]}, which contains {@code dL/dx} for every input of the box. Two penalty
 * forms ({@code N = B x features}):
 *
 * <pre>
 * form=bounds (default; the authors' training form behind Table 1):
 *     penalty = lambda * sum( |eta_L * m| + |eta_U * m| ) / N
 * form=paper (Sec. 4.2.3):
 *     g = dL/dx at x, eta* = the bound farther from g (element-wise)
 *     penalty = lambda * sum( |eta* - g| * m ) / N
 * </pre>
 *
 * Everything is differentiable with respect to the parameters. Supports Linear, ReLU, Flatten and
 * Conv2d layers; any other layer is refused with its name before training starts.
 */
public final class CertR4Provider implements RegularizerProvider {
    @Override
    public String name() {
        return "cert-r4";
    }

    @Override
    public String description() {
        return "Cert-R4 (Ghitu et al., TMLR): certified bound on the masked input gradient over [x-eps*m, x+eps*m]";
    }

    @Override
    public ParameterSchema parameters() {
        return ParameterSchema.builder()
                .addDouble("lambda", 15.0, 0, Double.POSITIVE_INFINITY, "weight of the penalty (the papers' k)")
                .addDouble("epsilon", 0.5, 0, Double.POSITIVE_INFINITY, "radius of the masked input box")
                .addChoice("form", "bounds", List.of("bounds", "paper"),
                        "bounds: mean(|eta_L m| + |eta_U m|); paper: mean(|eta* - grad| m)")
                .build();
    }

    @Override
    public Regularizer create(HyperParameters params) {
        double lambda = params.getDouble("lambda");
        double epsilon = params.getDouble("epsilon");
        boolean paperForm = params.getString("form").equals("paper");
        return (model, batch, context) -> {
            IntervalBounds bounds = model.intervalBounds();
            NDArray x = batch.inputs();
            NDArray m = batch.masks();
            // bounds on m * dL/dx on the masked features only (zero on the others, which add nothing to the
            // sum; the mean still divides by every feature)
            FeatureColumns columns = model.maskedColumns(m);
            IntervalPass pass = bounds.propagateMaskedBox(x, m, epsilon, columns);
            Interval eta = pass.maskedInputGradient(CrossEntropyBounds.logitGradient(pass.logits(), batch.labels()), m,
                    columns);
            NDArray term;
            if (paperForm) {
                IntervalPass nominal = bounds.propagate(new Interval(x, x));
                NDArray g = nominal.maskedInputGradient(
                        CrossEntropyBounds.logitGradient(nominal.logits(), batch.labels()), m, columns).lower();
                // |eta - g| * m = |eta * m - g * m| for m >= 0
                NDArray lowerGap = eta.lower().sub(g).abs();
                NDArray upperGap = eta.upper().sub(g).abs();
                term = lowerGap.maximum(upperGap);
            } else {
                term = eta.lower().abs().add(eta.upper().abs());
            }
            return Scalars.times(term.sum(), lambda / ((double) batch.size() * columns.features()));
        };
    }
}
