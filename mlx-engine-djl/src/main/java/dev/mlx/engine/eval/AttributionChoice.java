package dev.mlx.engine.eval;

import ai.djl.ndarray.NDArray;
import dev.mlx.api.attribution.AttributionMethod;
import dev.mlx.api.attribution.AttributionProvider;
import dev.mlx.api.param.HyperParameters;
import dev.mlx.api.param.ParameterSchema;
import dev.mlx.api.param.ParameterSpec;
import dev.mlx.api.train.Model;
import dev.mlx.engine.attribution.InputGradientAttributionProvider;
import dev.mlx.engine.attribution.IntegratedGradientsProvider;
import dev.mlx.engine.attribution.SmoothGradProvider;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The attribution a metric explains with: one of the engine's own methods, chosen by name, with its
 * parameters exposed under metric-level names (so {@code -P} values of one metric do not collide
 * with another's):
 *
 * <pre>
 * attribution            input-gradient | smoothgrad | integrated-gradients
 * attribution-target     -> target               (logit | cross-entropy)
 * explain                label | prediction      (the explained class: the true label or the model's argmax)
 * ig-steps, ig-baseline  -> steps, baseline      (integrated-gradients)
 * smoothgrad-samples     -> samples              (smoothgrad)
 * smoothgrad-sigma       -> sigma                (smoothgrad)
 * attribution-batch-size -> internal-batch-size  (smoothgrad, integrated-gradients)
 * </pre>
 *
 * Only the parameters the chosen method declares are passed on. The method's seed for a batch whose
 * first example is example {@code offset} of the split is {@code seed + offset}, so random methods
 * (SmoothGrad, a uniform IG baseline) draw the same noise for an example whatever the batch size.
 *
 * @param provider the chosen method's provider
 * @param method the configured method
 * @param explainPrediction whether to explain the predicted class instead of the label
 */
record AttributionChoice(AttributionProvider provider, AttributionMethod method, boolean explainPrediction) {
    private static final List<AttributionProvider> BUILT_INS = List.of(new InputGradientAttributionProvider(),
            new SmoothGradProvider(), new IntegratedGradientsProvider());
    private static final Map<String, String> RENAMED = Map.of("attribution-target", "target", "ig-steps", "steps",
            "ig-baseline", "baseline", "smoothgrad-samples", "samples", "smoothgrad-sigma", "sigma",
            "attribution-batch-size", "internal-batch-size");

    /**
     * Declares the parameters, with {@code attribution} a choice.
     *
     * @param b the schema under construction
     * @param method the default method
     * @param igSteps the default of {@code ig-steps}
     * @return the builder
     */
    static ParameterSchema.Builder declare(ParameterSchema.Builder b, String method, int igSteps) {
        b.addChoice("attribution", method, BUILT_INS.stream().map(AttributionProvider::name).toList(),
                "the attribution method explained");
        return declareOptions(b, igSteps, true);
    }

    /**
     * Declares the parameters of integrated gradients only (a metric whose method is fixed).
     *
     * @param b the schema under construction
     * @param igSteps the default of {@code ig-steps}
     * @return the builder
     */
    static ParameterSchema.Builder declareIntegratedGradients(ParameterSchema.Builder b, int igSteps) {
        return declareOptions(b, igSteps, false);
    }

    private static ParameterSchema.Builder declareOptions(ParameterSchema.Builder b, int igSteps, boolean smooth) {
        b.addChoice("attribution-target", "logit", List.of("logit", "cross-entropy"),
                        "the explained scalar: the class logit or the per-sample cross-entropy")
                .addChoice("explain", "label", List.of("label", "prediction"),
                        "the explained class: the true label or the predicted class")
                .addInt("ig-steps", igSteps, 1, 1_000_000, "integrated gradients: Riemann points M")
                .addChoice("ig-baseline", "zeros", List.of("zeros", "uniform"), "integrated gradients: the baseline");
        if (smooth) {
            b.addInt("smoothgrad-samples", 50, 1, 1_000_000, "SmoothGrad: noisy copies n")
                    .addDouble("smoothgrad-sigma", 0.15, 0, Double.POSITIVE_INFINITY,
                            "SmoothGrad: noise std as a fraction of the example's range");
        }
        return b.addInt("attribution-batch-size", 1000, 0, Integer.MAX_VALUE,
                "rows (examples x points) per forward pass of the attribution; 0 = all at once");
    }

    /**
     * @param owner the metric's name, for messages
     * @param p values bound to {@link #declare} or {@link #declareIntegratedGradients}
     * @return the configured choice
     */
    static AttributionChoice from(String owner, HyperParameters p) {
        String name = p.asMap().containsKey("attribution") ? p.getString("attribution") : "integrated-gradients";
        AttributionProvider provider = BUILT_INS.stream().filter(a -> a.name().equals(name)).findFirst()
                .orElseThrow();
        Map<String, String> raw = new LinkedHashMap<>();
        List<String> declared = provider.parameters().specs().stream().map(ParameterSpec::name).toList();
        RENAMED.forEach((metricKey, methodKey) -> {
            if (p.asMap().containsKey(metricKey) && declared.contains(methodKey)) {
                raw.put(methodKey, String.valueOf(p.asMap().get(metricKey)));
            }
        });
        HyperParameters bound = provider.parameters().bind(owner + " (" + name + ")", raw);
        return new AttributionChoice(provider, provider.create(bound), p.getString("explain").equals("prediction"));
    }

    /**
     * @param model the model
     * @param inputs the inputs {@code [B, ...]}
     * @param labels the true labels {@code [B]}
     * @param seed the metric's seed
     * @param offset the index in the split of the first example
     * @return the attribution of the explained class, shape of {@code inputs}
     */
    NDArray attribute(Model model, NDArray inputs, NDArray labels, long seed, int offset) {
        return attributeClass(model, inputs, explained(model, inputs, labels), seed, offset);
    }

    /**
     * @param model the model
     * @param inputs the inputs {@code [B, ...]}
     * @param classes the explained class per example (from {@link #explained})
     * @param seed the metric's seed
     * @param offset the index in the split of the first example
     * @return the attribution, shape of {@code inputs}; differentiable (an attack differentiates it)
     */
    NDArray attributeClass(Model model, NDArray inputs, NDArray classes, long seed, int offset) {
        return method.attribute(model, inputs, classes, seed + offset);
    }

    /**
     * @param model the model
     * @param inputs the inputs
     * @param labels the true labels
     * @return the explained class per example: the labels, or the model's predictions
     */
    NDArray explained(Model model, NDArray inputs, NDArray labels) {
        return explainPrediction ? model.logits(inputs).argMax(1).stopGradient() : labels;
    }
}
