package dev.mlx.app.plugin;

import java.nio.file.Path;

/**
 * A JAR of the plugins folder that mlx loaded classes from.
 *
 * @param path where it is
 * @param sha256 the SHA-256 of its bytes, lower-case hex (recorded in every run's provenance)
 */
public record PluginJar(Path path, String sha256) {
    /** @return the file name, as plugin sources name it */
    public String fileName() {
        return path.getFileName().toString();
    }
}
