package dev.mlx.api.param;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * Validated, typed hyper-parameter values, made by {@link ParameterSchema#bind} or
 * {@link ParameterSchema#defaults()}. Immutable. {@link #toStringMap()} round-trips through
 * {@code bind}.
 */
public final class HyperParameters {
    private final Map<String, Object> values;

    HyperParameters(Map<String, Object> values) {
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    public double getDouble(String name) {
        return ((Number) get(name)).doubleValue();
    }

    public int getInt(String name) {
        return ((Number) get(name)).intValue();
    }

    public boolean getBoolean(String name) {
        return (Boolean) get(name);
    }

    public String getString(String name) {
        return (String) get(name);
    }

    private Object get(String name) {
        Object v = values.get(name);
        if (v == null) {
            throw new NoSuchElementException("no hyper-parameter '" + name + "'; declared: " + values.keySet());
        }
        return v;
    }

    /** @return the typed values in declaration order */
    public Map<String, Object> asMap() {
        return values;
    }

    /** @return the values as strings, suitable for a config file and for {@link ParameterSchema#bind} */
    public Map<String, String> toStringMap() {
        Map<String, String> out = new LinkedHashMap<>();
        values.forEach((k, v) -> out.put(k, String.valueOf(v)));
        return Collections.unmodifiableMap(out);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HyperParameters other && values.equals(other.values);
    }

    @Override
    public int hashCode() {
        return values.hashCode();
    }

    @Override
    public String toString() {
        return values.toString();
    }
}
