package dev.mlx.app.command;

import dev.mlx.app.log.Verbosity;
import dev.mlx.engine.DeviceRequest;
import java.io.PrintStream;
import java.nio.file.Path;

/**
 * Process-wide settings resolved once at start-up.
 *
 * @param cacheDir where datasets are fetched and cached
 * @param pluginsDir the plugins folder scanned for JARs
 * @param out standard output (results, tables)
 * @param err standard error (progress, errors)
 * @param device the device asked for ({@code --device}, {@code MLX_DEVICE}); trial processes get the same
 * @param verbosity what the terminal shows ({@code -q}, {@code -v})
 */
public record AppSettings(Path cacheDir, Path pluginsDir, PrintStream out, PrintStream err, DeviceRequest device,
        Verbosity verbosity) {

    /** Settings with the default device ({@code auto}) and verbosity. */
    public AppSettings(Path cacheDir, Path pluginsDir, PrintStream out, PrintStream err) {
        this(cacheDir, pluginsDir, out, err, DeviceRequest.AUTO, Verbosity.NORMAL);
    }

    /** @return true with {@code -q} */
    public boolean quiet() {
        return verbosity == Verbosity.QUIET;
    }
}
