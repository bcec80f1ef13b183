package dev.mlx.app.plugin;

import dev.mlx.api.Described;

/**
 * A discovered plugin.
 *
 * @param kind which extension point it implements
 * @param provider the provider instance
 * @param source where its class came from: the JAR file name, or a classes folder
 * @param version its implementation version from the JAR manifest, or {@code "dev"}
 * @param sha256 the SHA-256 of its JAR when it came from the plugins folder, else {@code null}
 */
public record PluginInfo(PluginKind kind, Described provider, String source, String version, String sha256) {
    /** @return the plugin's name */
    public String name() {
        return provider.name();
    }

    /**
     * Describes where a class was loaded from.
     *
     * @param type the class
     * @return the file name of its JAR or folder, or {@code "unknown"}
     */
    public static String sourceOf(Class<?> type) {
        try {
            var codeSource = type.getProtectionDomain().getCodeSource();
            if (codeSource == null || codeSource.getLocation() == null) {
                return "unknown";
            }
            java.nio.file.Path path = java.nio.file.Path.of(codeSource.getLocation().toURI());
            if (java.nio.file.Files.isDirectory(path)) {
                java.nio.file.Path parent = path.getParent() == null ? path : path.getParent();
                java.nio.file.Path module = parent.getParent() == null ? parent : parent.getParent();
                return module.getFileName() + "/" + parent.getFileName() + "/" + path.getFileName();
            }
            return path.getFileName().toString();
        } catch (java.net.URISyntaxException | RuntimeException e) {
            return "unknown";
        }
    }

    /**
     * @param type the class
     * @return the implementation version from its JAR manifest, or {@code "dev"}
     */
    public static String versionOf(Class<?> type) {
        Package p = type.getPackage();
        String v = p == null ? null : p.getImplementationVersion();
        return v == null ? "dev" : v;
    }
}
