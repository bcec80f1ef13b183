package dev.mlx.api.param;

import dev.mlx.api.error.MlxException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The hyper-parameters a plugin accepts, in declaration order. Binding raw values to a schema
 * ({@link #bind(String, Map)}) is strict: unknown keys and invalid values stop the run with the
 * key and value in the message; missing keys take their defaults.
 *
 * <pre>{@code
 * ParameterSchema schema = ParameterSchema.builder()
 *         .addDouble("lambda", 10.0, 0, Double.POSITIVE_INFINITY, "weight of the penalty")
 *         .addInt("samples", 10, 1, 10_000, "samples per example")
 *         .build();
 * }</pre>
 */
public final class ParameterSchema {
    private static final ParameterSchema EMPTY = new ParameterSchema(List.of());
    private final Map<String, ParameterSpec> specs;

    private ParameterSchema(List<ParameterSpec> list) {
        Map<String, ParameterSpec> map = new LinkedHashMap<>();
        for (ParameterSpec spec : list) {
            if (map.put(spec.name(), spec) != null) {
                throw new IllegalArgumentException("parameter '" + spec.name() + "' declared twice");
            }
        }
        this.specs = Collections.unmodifiableMap(map);
    }

    /** @return a schema with no parameters */
    public static ParameterSchema empty() {
        return EMPTY;
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the declared parameters in declaration order */
    public List<ParameterSpec> specs() {
        return List.copyOf(specs.values());
    }

    /** @return the values of every parameter at its default */
    public HyperParameters defaults() {
        Map<String, Object> values = new LinkedHashMap<>();
        specs.values().forEach(s -> values.put(s.name(), s.defaultValue()));
        return new HyperParameters(values);
    }

    /**
     * Binds raw string values (from the command line or a config file) to this schema.
     *
     * @param owner the plugin name, used in error messages
     * @param raw key to raw value; keys not given take their defaults
     * @return the validated, typed values
     * @throws MlxException (user error) on an unknown key (listing the known ones) or a bad value
     */
    public HyperParameters bind(String owner, Map<String, String> raw) {
        Map<String, Object> values = new LinkedHashMap<>();
        for (String key : raw.keySet()) {
            if (!specs.containsKey(key)) {
                throw MlxException.userError(
                        owner + ": unknown parameter '" + key + "'; known parameters: "
                                + (specs.isEmpty() ? "(none)" : String.join(", ", new TreeSet<>(specs.keySet()))));
            }
        }
        for (ParameterSpec spec : specs.values()) {
            String text = raw.get(spec.name());
            values.put(spec.name(), text == null ? spec.defaultValue() : spec.parse(owner, text));
        }
        return new HyperParameters(values);
    }

    /** Builder; {@code addX} adds a parameter, {@link #build()} returns the immutable schema. */
    public static final class Builder {
        private final List<ParameterSpec> list = new ArrayList<>();

        private Builder() {}

        public Builder addDouble(String name, double def, double min, double max, String description) {
            return add(new ParameterSpec(name, ParameterType.DOUBLE, def, description, min, max, List.of()));
        }

        public Builder addInt(String name, int def, int min, int max, String description) {
            return add(new ParameterSpec(name, ParameterType.INT, def, description, min, max, List.of()));
        }

        public Builder addBoolean(String name, boolean def, String description) {
            return add(new ParameterSpec(name, ParameterType.BOOLEAN, def, description,
                    Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY, List.of()));
        }

        public Builder addChoice(String name, String def, List<String> choices, String description) {
            return add(new ParameterSpec(name, ParameterType.STRING, def, description,
                    Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY, choices));
        }

        public Builder addString(String name, String def, String description) {
            return addChoice(name, def, List.of(), description);
        }

        private Builder add(ParameterSpec spec) {
            spec.validate("schema", spec.defaultValue());
            list.add(spec);
            return this;
        }

        public ParameterSchema build() {
            return new ParameterSchema(list);
        }
    }
}
