package dev.mlx.app.sweep;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One method of a sweep and the settings to try, expanded from the sweep file's grid or list.
 *
 * @param method the method as the file names it (e.g. {@code adv-r4})
 * @param plugin the regularizer plugin that runs it on the sweep's model (e.g. {@code token-adv-r4})
 * @param settings the settings to try, in file order; each maps a hyper-parameter (a training
 *     setting such as {@code lr} or a regularizer parameter) to its value as written
 */
public record MethodSweep(String method, String plugin, List<Map<String, String>> settings) {
    public MethodSweep {
        settings = settings.stream().map(s -> java.util.Collections.unmodifiableMap(new LinkedHashMap<>(s))).toList();
    }
}
