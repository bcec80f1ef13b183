package dev.mlx.api.param;

import dev.mlx.api.error.MlxException;
import java.util.List;
import java.util.Objects;

/**
 * One declared hyper-parameter: name, type, default, description and the allowed range (numbers)
 * or choices (strings). Immutable; build them through {@link ParameterSchema.Builder}.
 *
 * @param name the key users write, e.g. {@code lambda}
 * @param type the value type
 * @param defaultValue the default, already valid
 * @param description one line for {@code mlx plugins}
 * @param min the smallest allowed number (inclusive), or {@code -Infinity}
 * @param max the largest allowed number (inclusive), or {@code +Infinity}
 * @param choices the allowed strings for {@link ParameterType#STRING}; empty means any string
 */
public record ParameterSpec(
        String name,
        ParameterType type,
        Object defaultValue,
        String description,
        double min,
        double max,
        List<String> choices) {

    public ParameterSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(defaultValue, "defaultValue of " + name);
        description = description == null ? "" : description;
        choices = List.copyOf(choices);
        if (!name.matches("[a-z][a-z0-9-]*")) {
            throw new IllegalArgumentException(
                    "parameter name '" + name + "' must be lower-case letters, digits and '-'");
        }
    }

    /**
     * Parses and validates a raw value.
     *
     * @param owner the plugin the parameter belongs to, for the error message
     * @param raw the raw text
     * @return the typed value ({@link Double}, {@link Integer}, {@link Boolean} or {@link String})
     * @throws MlxException (user error) naming the key, the value and what is allowed
     */
    public Object parse(String owner, String raw) {
        String text = raw == null ? "" : raw.trim();
        Object value;
        try {
            value =
                    switch (type) {
                        case DOUBLE -> Double.parseDouble(text);
                        case INT -> Integer.parseInt(text);
                        case BOOLEAN -> parseBoolean(text);
                        case STRING -> text;
                    };
        } catch (NumberFormatException e) {
            throw MlxException.userError(
                    owner + ": parameter '" + name + "' = '" + raw + "' is not a valid "
                            + type.name().toLowerCase(java.util.Locale.ROOT) + allowed());
        }
        return validate(owner, value);
    }

    /**
     * Checks a typed value against the range or choices.
     *
     * @param owner the plugin the parameter belongs to, for the error message
     * @param value the typed value
     * @return the value
     */
    public Object validate(String owner, Object value) {
        if (value instanceof Number number) {
            double d = number.doubleValue();
            if (Double.isNaN(d) || d < min || d > max) {
                throw MlxException.userError(
                        owner + ": parameter '" + name + "' = " + value + " is out of range" + allowed());
            }
        }
        if (value instanceof String s && !choices.isEmpty() && !choices.contains(s)) {
            throw MlxException.userError(
                    owner + ": parameter '" + name + "' = '" + s + "' is not one of " + choices);
        }
        return value;
    }

    private Boolean parseBoolean(String text) {
        if (text.equalsIgnoreCase("true")) {
            return Boolean.TRUE;
        }
        if (text.equalsIgnoreCase("false")) {
            return Boolean.FALSE;
        }
        throw new NumberFormatException(text);
    }

    /** @return a human description of what values are allowed, e.g. {@code " (allowed: >= 0)"} */
    public String allowed() {
        if (type == ParameterType.STRING && !choices.isEmpty()) {
            return " (allowed: " + String.join(", ", choices) + ")";
        }
        if (type == ParameterType.BOOLEAN) {
            return " (allowed: true, false)";
        }
        if (type == ParameterType.STRING) {
            return "";
        }
        boolean hasMin = min != Double.NEGATIVE_INFINITY;
        boolean hasMax = max != Double.POSITIVE_INFINITY;
        if (hasMin && hasMax) {
            return " (allowed: " + fmt(min) + " .. " + fmt(max) + ")";
        }
        if (hasMin) {
            return " (allowed: >= " + fmt(min) + ")";
        }
        if (hasMax) {
            return " (allowed: <= " + fmt(max) + ")";
        }
        return "";
    }

    private String fmt(double d) {
        return type == ParameterType.INT ? Long.toString((long) d) : Double.toString(d);
    }
}
