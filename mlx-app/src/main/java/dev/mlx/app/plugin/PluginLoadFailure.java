package dev.mlx.app.plugin;

/**
 * A plugin, or a whole plugin JAR, that could not be loaded; the others still load.
 *
 * @param kind the extension point it was listed under, or {@code null} for a JAR that could not be read at all
 * @param source the JAR file name it came from, or {@code "class path"} when unknown
 * @param message what went wrong, including the JAR, the class and the cause
 */
public record PluginLoadFailure(PluginKind kind, String source, String message) {
    /** @return a label for listings: the kind, or "plugin JAR" */
    public String label() {
        return kind == null ? "plugin JAR" : kind.label();
    }
}
