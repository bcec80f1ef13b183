package dev.mlx.engine.eval;

import ai.djl.ndarray.NDArray;
import dev.mlx.api.metric.Metric;
import dev.mlx.api.metric.MetricProvider;
import dev.mlx.api.metric.MetricResult;
import dev.mlx.api.param.HyperParameters;
import dev.mlx.api.param.ParameterSchema;
import dev.mlx.api.train.Interval;
import dev.mlx.api.train.IntervalBounds;
import dev.mlx.api.train.IntervalPass;
import dev.mlx.engine.method.CrossEntropyBounds;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code fragility}: the certified input-gradient fragility of the papers' Tables 2-4 (Ghitu et al.,
 * "Model Guidance via Robust Feature Attribution", TMLR; reference spec §8.3, the reference's
 * {@code test_delta_input_robustness}).
 *
 * <p>For every example, interval bound propagation over the box {@code [x - eps*w, x + eps*w]} and
 * {@link CrossEntropyBounds} give {@code [eta_L, eta_U]}, an interval that contains the input gradient
 * {@code dL/dx} of the per-sample, un-averaged cross-entropy (with the true label) for every input of
 * the box (the same bounds Cert-R4 trains on, §3). Its width {@code eta_U - eta_L} bounds how much an
 * explanation can change when the weighted features move by at most {@code eps}. With {@code w} the
 * weighting, over all examples {@code b} and features {@code i} of the split:
 *
 * <pre>
 * kappa(w)      = max_{b,i} (eta_U - eta_L)[b,i] * w[b,i]
 * kappa-mean(w) = sum_{b,i} (eta_U - eta_L)[b,i] * w[b,i] / #{(b,i) : w[b,i] > 0}      (0 if that set is empty)
 *
 * kappa-m,    kappa-m-mean    : w = m       (the masked box; the box is x +- eps*m)
 * kappa-core, kappa-core-mean : w = 1 - m   (the core box: box and weighting both use 1 - m; Table 4)
 * ratio                       = kappa-m / kappa-core     (Table 2, max-based; NaN if kappa-core = 0)
 * eta-m-lower-min             = min_{b,i} eta_L * m,   eta-m-upper-max = max_{b,i} eta_U * m   (masked box)
 * </pre>
 *
 * {@code kappa-m} is what the reference reports (a maximum, although the paper calls it an average);
 * its test masks are the split's masks (for Decoy-MNIST the four 4x4 corners). A model trained to be
 * robust on the masked features has {@code ratio << 1} (Decoy-MNIST: ERM 1.497, Cert-R4 0.024 in the
 * paper). A split without masked entries gives {@code kappa-m = kappa-m-mean = 0}.
 *
 * <p>Needs the model's interval bounds (Linear, ReLU, Flatten, Conv2d); other models are refused with
 * the layer named. Parameter: {@code epsilon}, default 0.1 (Decoy-MNIST's {@code test_epsilon}, §11.1;
 * DecoyDERM uses 0.01).
 */
public final class FragilityMetricProvider implements MetricProvider {
    @Override
    public String name() {
        return "fragility";
    }

    @Override
    public String description() {
        return "certified input-gradient fragility: kappa_m, kappa_(1-m) and their ratio from interval bounds";
    }

    @Override
    public ParameterSchema parameters() {
        return ParameterSchema.builder()
                .addDouble("epsilon", 0.1, 0, Double.POSITIVE_INFINITY,
                        "radius of the box around each input (test_epsilon; 0.1 for Decoy-MNIST)")
                .build();
    }

    @Override
    public Metric create(HyperParameters params) {
        double epsilon = params.getDouble("epsilon");
        return (model, split, context) -> {
            IntervalBounds bounds = model.intervalBounds(); // fails fast, naming an unsupported layer
            MaskedExtent masked = new MaskedExtent();
            MaskedExtent core = new MaskedExtent();
            context.forEachBatch(split, (batch, offset) -> {
                NDArray m = batch.masks();
                Interval eta = gradientBounds(bounds, batch.inputs(), m, batch.labels(), epsilon);
                masked.add(eta.width().mul(m));
                masked.count(m);
                masked.addBounds(eta.lower().mul(m), eta.upper().mul(m));
                NDArray coreMask = m.neg().add(1f);
                core.add(gradientBounds(bounds, batch.inputs(), coreMask, batch.labels(), epsilon).width().mul(coreMask));
                core.count(coreMask);
            });
            Map<String, Double> v = new LinkedHashMap<>();
            v.put("epsilon", epsilon);
            v.put("kappa-m", masked.max());
            v.put("kappa-m-mean", masked.mean(1));
            v.put("kappa-core", core.max());
            v.put("kappa-core-mean", core.mean(1));
            v.put("ratio", MaskedExtent.ratio(masked.max(), core.max()));
            v.put("eta-m-lower-min", masked.lowerMin());
            v.put("eta-m-upper-max", masked.upperMax());
            return MetricResult.of(name(), v);
        };
    }

    /**
     * @param bounds the model's interval capability
     * @param x the inputs
     * @param weight where the box extends ({@code x +- eps*weight})
     * @param labels the labels
     * @param epsilon the radius
     * @return {@code [eta_L, eta_U]}, bounds of the per-sample cross-entropy input gradient over the box
     */
    static Interval gradientBounds(IntervalBounds bounds, NDArray x, NDArray weight, NDArray labels, double epsilon) {
        IntervalPass pass = bounds.propagateMaskedBox(x, weight, epsilon);
        return pass.inputGradient(CrossEntropyBounds.logitGradient(pass.logits(), labels));
    }
}
