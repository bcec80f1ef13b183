package dev.mlx.app.plugin;

/**
 * A plugin that could not be loaded; the others still load.
 *
 * @param kind the extension point it was listed under
 * @param message what went wrong, including the class and the cause
 */
public record PluginLoadFailure(PluginKind kind, String message) {}
