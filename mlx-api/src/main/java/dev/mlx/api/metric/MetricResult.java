package dev.mlx.api.metric;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;

/**
 * The named scalar values of one metric evaluation, in the order the metric reported them.
 *
 * @param metric the metric's name, e.g. {@code fragility}
 * @param values value name to value, e.g. {@code kappa-m -> 0.93}; {@code NaN} where a value is
 *     undefined (for example a ratio with a zero denominator)
 */
public record MetricResult(String metric, Map<String, Double> values) {
    public MetricResult {
        Objects.requireNonNull(metric, "metric");
        Map<String, Double> copy = new LinkedHashMap<>();
        values.forEach((k, v) -> copy.put(Objects.requireNonNull(k, "value name"), Objects.requireNonNull(v, k)));
        values = Collections.unmodifiableMap(copy);
    }

    /**
     * @param metric the metric's name
     * @param values the values, in reporting order (iteration order of the map is kept)
     * @return the result
     */
    public static MetricResult of(String metric, Map<String, Double> values) {
        return new MetricResult(metric, values);
    }

    /**
     * @param name a value name
     * @return its value
     * @throws NoSuchElementException naming the known values if there is none of that name
     */
    public double value(String name) {
        Double v = values.get(name);
        if (v == null) {
            throw new NoSuchElementException(metric + " has no value '" + name + "'; it reports " + values.keySet());
        }
        return v;
    }
}
