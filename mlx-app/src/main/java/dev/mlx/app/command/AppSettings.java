package dev.mlx.app.command;

import java.io.PrintStream;
import java.nio.file.Path;

/**
 * Process-wide settings resolved once at start-up.
 *
 * @param cacheDir where datasets are fetched and cached
 * @param pluginsDir the plugins folder scanned for JARs
 * @param out standard output (results, tables)
 * @param err standard error (progress, errors)
 */
public record AppSettings(Path cacheDir, Path pluginsDir, PrintStream out, PrintStream err) {}
