package dev.mlx.engine.eval;

import dev.mlx.api.metric.Metric;
import dev.mlx.api.metric.MetricProvider;
import dev.mlx.api.metric.MetricResult;
import dev.mlx.api.param.HyperParameters;
import dev.mlx.api.param.ParameterSchema;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code localisation}: how much of an attribution's mass falls inside the irrelevant mask, the
 * attribution-mass localisation measure of the explanation-guided-learning literature (for example
 * the "relevance mass accuracy" of Arras, Osman and Samek, Information Fusion 2022, here computed on
 * the region that must <em>not</em> matter, so lower is better). With {@code A} the chosen attribution
 * ({@code attribution=input-gradient|smoothgrad|integrated-gradients}, see {@link AttributionChoice})
 * of example {@code b} and {@code m} its mask:
 *
 * <pre>
 * share_b             = sum_i m_bi |A_bi| / sum_i |A_bi|           (examples with sum_i |A_bi| = 0 are left out)
 * localisation        = mean_b share_b
 * localisation-pooled = sum_b sum_i m_bi |A_bi| / sum_b sum_i |A_bi|
 * mask-area           = mean_b (1/F) sum_i m_bi                    (the share an attribution spread evenly would get)
 * </pre>
 *
 * A model that ignores the masked features has {@code localisation = 0}; one that uses only them has 1.
 * {@code NaN} where every attribution is zero.
 */
public final class LocalisationMetricProvider implements MetricProvider {
    @Override
    public String name() {
        return "localisation";
    }

    @Override
    public String description() {
        return "share of |attribution| mass inside the irrelevant mask (input-gradient, smoothgrad or integrated-gradients)";
    }

    @Override
    public ParameterSchema parameters() {
        return AttributionChoice.declare(ParameterSchema.builder(), "input-gradient", 50).build();
    }

    @Override
    public Metric create(HyperParameters params) {
        AttributionChoice choice = AttributionChoice.from(name(), params);
        return (model, split, context) -> {
            double[] acc = new double[5]; // sum of shares, examples with a share, inside mass, total mass, area
            context.forEachBatch(split, (batch, offset) -> {
                double[][] a = PerExample.rows(choice.attribute(model, batch.inputs(), batch.labels(), context.seed(),
                        offset).stopGradient().abs());
                double[][] m = PerExample.rows(batch.masks());
                for (int b = 0; b < a.length; b++) {
                    double inside = 0;
                    double total = 0;
                    double area = 0;
                    for (int i = 0; i < a[b].length; i++) {
                        inside += m[b][i] * a[b][i];
                        total += a[b][i];
                        area += m[b][i];
                    }
                    if (total > 0) {
                        acc[0] += inside / total;
                        acc[1]++;
                    }
                    acc[2] += inside;
                    acc[3] += total;
                    acc[4] += a[b].length == 0 ? 0 : area / a[b].length;
                }
            });
            Map<String, Double> v = new LinkedHashMap<>();
            v.put("localisation", acc[1] == 0 ? Double.NaN : acc[0] / acc[1]);
            v.put("localisation-pooled", MaskedExtent.ratio(acc[2], acc[3]));
            v.put("mask-area", split.size() == 0 ? Double.NaN : acc[4] / split.size());
            return MetricResult.of(name(), v);
        };
    }
}
