package dev.mlx.engine.eval;

import dev.mlx.api.metric.Metric;
import dev.mlx.api.metric.MetricProvider;
import dev.mlx.api.metric.MetricResult;
import dev.mlx.api.param.HyperParameters;
import dev.mlx.api.param.ParameterSchema;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code feature-leakage}: the integrated-gradients mass on the masked (irrelevant) region, the
 * leakage measure of seed 003's evaluation. With {@code IG} the integrated gradients of the explained
 * class ({@link dev.mlx.engine.attribution.IntegratedGradientsProvider}; zero baseline, {@code M =
 * ig-steps} points by default) of example {@code b}, {@code m} its mask and {@code N} the number of
 * examples:
 *
 * <pre>
 * leakage        = (1/N) sum_b sum_i m_bi |IG_bi|
 * leakage-signed = (1/N) sum_b sum_i m_bi IG_bi
 * leakage-share  = sum_b sum_i m_bi |IG_bi| / sum_b sum_i |IG_bi|        (NaN if every IG is 0)
 * </pre>
 *
 * By completeness ({@code sum_i IG_bi = F(x_b) - F(baseline)}), {@code leakage-signed} is the part of
 * the explained logit's change from the baseline that the masked features account for; {@code leakage}
 * counts contributions of either sign. A model that ignores the masked features has 0 for all three.
 * For a linear model {@code z = Wx + b} and the zero baseline, {@code IG_b = x_b * W[y_b]} exactly.
 */
public final class FeatureLeakageMetricProvider implements MetricProvider {
    @Override
    public String name() {
        return "feature-leakage";
    }

    @Override
    public String description() {
        return "integrated-gradients mass on the masked region (absolute, signed and as a share of the total)";
    }

    @Override
    public ParameterSchema parameters() {
        return AttributionChoice.declareIntegratedGradients(ParameterSchema.builder(), 50).build();
    }

    @Override
    public Metric create(HyperParameters params) {
        AttributionChoice choice = AttributionChoice.from(name(), params);
        return (model, split, context) -> {
            double[] acc = new double[3]; // sum m|IG|, sum m IG, sum |IG|
            context.forEachBatch(split, (batch, offset) -> {
                double[][] ig = PerExample.rows(choice.attribute(model, batch.inputs(), batch.labels(), context.seed(),
                        offset).stopGradient());
                double[][] m = PerExample.rows(batch.masks());
                for (int b = 0; b < ig.length; b++) {
                    for (int i = 0; i < ig[b].length; i++) {
                        acc[0] += m[b][i] * Math.abs(ig[b][i]);
                        acc[1] += m[b][i] * ig[b][i];
                        acc[2] += Math.abs(ig[b][i]);
                    }
                }
            });
            int n = split.size();
            Map<String, Double> v = new LinkedHashMap<>();
            v.put("leakage", n == 0 ? Double.NaN : acc[0] / n);
            v.put("leakage-signed", n == 0 ? Double.NaN : acc[1] / n);
            v.put("leakage-share", MaskedExtent.ratio(acc[0], acc[2]));
            return MetricResult.of(name(), v);
        };
    }
}
