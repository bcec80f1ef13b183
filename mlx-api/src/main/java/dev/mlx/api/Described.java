package dev.mlx.api;

import dev.mlx.api.param.ParameterSchema;

/**
 * What every plugin provider has in common: a unique name users type on the command line, a
 * one-line description, and the hyper-parameters it accepts.
 *
 * <p>Names are lower-case words joined by {@code -} (for example {@code cert-r4}); two
 * providers of the same kind claiming one name is an error at discovery time.
 */
public interface Described {
    /** @return the unique name of this plugin among plugins of its kind, e.g. {@code "rrr"} */
    String name();

    /** @return a one-line human description, shown by {@code mlx plugins} */
    String description();

    /** @return the hyper-parameters this plugin accepts, with defaults; empty by default */
    default ParameterSchema parameters() {
        return ParameterSchema.empty();
    }
}
