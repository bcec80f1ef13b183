package dev.mlx.app;

import com.google.inject.Guice;
import com.google.inject.Injector;
import dev.mlx.api.error.MlxException;
import dev.mlx.app.command.AppSettings;
import dev.mlx.app.command.DeviceMemoryErrors;
import dev.mlx.app.command.EngineHolder;
import dev.mlx.app.plugin.PluginModule;
import dev.mlx.app.plugin.PluginRegistry;
import dev.mlx.app.log.RunLog;
import dev.mlx.app.log.Verbosity;
import dev.mlx.engine.DeviceRequest;
import dev.mlx.engine.MlxEngine;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

/**
 * The {@code mlx} launcher. {@link #main} only maps {@link #run}'s result to the exit code:
 * 0 success, 2 user error (bad option, unknown plugin, missing or corrupt file), 3 resources,
 * 4 internal error.
 */
public final class Main {
    private static final Logger LOG = LoggerFactory.getLogger(Main.class);

    private Main() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /**
     * Runs the command line with plugins discovered from the class path and the plugins folder.
     *
     * @param args the arguments
     * @param out standard output
     * @param err standard error
     * @return the exit code
     */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        return run(args, out, err, builder -> {});
    }

    /**
     * As {@link #run(String[], PrintStream, PrintStream)}, letting the caller add plugins directly
     * (tests) before discovery.
     *
     * @param args the arguments
     * @param out standard output
     * @param err standard error
     * @param extraPlugins adds plugins to the registry builder
     * @return the exit code
     */
    public static int run(String[] args, PrintStream out, PrintStream err, Consumer<PluginRegistry.Builder> extraPlugins) {
        MlxEngine.configureOffline();
        Verbosity verbosity = Verbosity.of(args);
        RunLog.install(verbosity);
        DeviceRequest device;
        try {
            device = DeviceRequest.parse(globalString(args, "--device", "MLX_DEVICE", "auto"));
        } catch (RuntimeException e) {
            return handle(e, err);
        }
        try (EngineHolder engine = new EngineHolder(device)) {
            Path pluginsDir = globalPath(args, "--plugins-dir", "MLX_PLUGINS", defaultPluginsDir());
            Path cacheDir = globalPath(args, "--cache-dir", "MLX_CACHE",
                    Path.of(System.getProperty("user.home"), ".cache", "mlx"));
            AppSettings settings = new AppSettings(cacheDir, pluginsDir, out, err, device, verbosity);
            PluginRegistry.Builder builder = PluginRegistry.builder();
            extraPlugins.accept(builder);
            PluginRegistry registry = builder
                    .discoverFolder(pluginsDir, Main.class.getClassLoader()).build();
            LOG.info("plugins: {}", registry.summary()); // in mlx.log and with -v; mlx plugins lists them
            CommandLine cli = commandLine(settings, engine, registry);
            cli.setExecutionExceptionHandler((ex, commandLine, parseResult) -> handle(ex, err));
            return cli.execute(args);
        } catch (RuntimeException e) {
            return handle(e, err);
        }
    }

    /**
     * The picocli command line of mlx, its commands built by Guice (the engine starts only when a command
     * asks for it); also what the CLI reference and the bash completion are generated from.
     *
     * @param settings the global settings (output streams included)
     * @param engine the lazily started engine
     * @param registry the plugins
     * @return the command line
     */
    static CommandLine commandLine(AppSettings settings, EngineHolder engine, PluginRegistry registry) {
        Injector injector = Guice.createInjector(new AppModule(settings, engine), new PluginModule(registry));
        CommandLine cli = new CommandLine(MlxCommand.class, new GuiceFactory(injector));
        // "--plugins-dir plugins": a folder may be named like a subcommand
        cli.setAllowSubcommandsAsOptionParameters(true);
        cli.setOut(new PrintWriter(settings.out(), true));
        cli.setErr(new PrintWriter(settings.err(), true));
        return cli;
    }

    private static int handle(Exception e, PrintStream err) {
        MlxException mlx = find(e);
        if (mlx == null) {
            mlx = DeviceMemoryErrors.translate(e).orElse(null);
        }
        if (mlx != null) {
            LOG.debug("error", e);
            err.println("mlx: error: " + mlx.getMessage());
            return mlx.kind().exitCode();
        }
        LOG.error("internal error", e);
        err.println("mlx: internal error: " + e + " (see the log above; please report it)");
        return 4;
    }

    private static MlxException find(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof MlxException m) {
                return m;
            }
        }
        return null;
    }

    /**
     * The plugins folder when neither {@code --plugins-dir} nor {@code MLX_PLUGINS} names one: the user's
     * configuration directory ({@code $XDG_CONFIG_HOME/mlx/plugins}, by default {@code ~/.config/mlx/plugins}),
     * never the working directory, so that running mlx inside a downloaded folder that carries a
     * {@code plugins/} subfolder does not run its code.
     *
     * @return the default plugins folder
     */
    static Path defaultPluginsDir() {
        String xdg = System.getenv("XDG_CONFIG_HOME");
        Path config = xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute() ? Path.of(xdg)
                : Path.of(System.getProperty("user.home"), ".config");
        return config.resolve("mlx").resolve("plugins");
    }

    private static String globalString(String[] args, String option, String env, String fallback) {
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals(option) && i + 1 < args.length) {
                return args[i + 1];
            }
            if (args[i].startsWith(option + "=")) {
                return args[i].substring(option.length() + 1);
            }
        }
        String fromEnv = System.getenv(env);
        return fromEnv == null || fromEnv.isBlank() ? fallback : fromEnv;
    }

    private static Path globalPath(String[] args, String option, String env, Path fallback) {
        String value = globalString(args, option, env, null);
        return value == null ? fallback : Path.of(value);
    }
}
