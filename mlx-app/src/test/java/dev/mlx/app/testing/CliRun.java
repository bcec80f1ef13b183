package dev.mlx.app.testing;

import dev.mlx.app.Main;
import dev.mlx.app.plugin.PluginRegistry;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Consumer;

/**
 * The outcome of one in-process {@code mlx} invocation through {@link Main#run}.
 *
 * @param exitCode what {@code run} returned
 * @param out everything written to standard output
 * @param err everything written to standard error
 */
public record CliRun(int exitCode, String out, String err) {

    /** Runs {@code mlx args} with plugins from the class path (and the plugins folder in the args). */
    public static CliRun of(String... args) {
        return of(builder -> {}, args);
    }

    /** Runs {@code mlx args}, letting {@code extra} register plugins directly first. */
    public static CliRun of(Consumer<PluginRegistry.Builder> extra, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
                PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            code = Main.run(args, o, e, extra);
        }
        return new CliRun(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** @return the lines of standard error that are launcher error messages ({@code mlx: ...error: ...}) */
    public List<String> errorLines() {
        return err.lines().filter(l -> l.startsWith("mlx: error:") || l.startsWith("mlx: internal error:")).toList();
    }

    /** @return the single {@code mlx: error:} message, failing if there is not exactly one */
    public String singleError() {
        List<String> lines = errorLines();
        if (lines.size() != 1) {
            throw new AssertionError("expected exactly one 'mlx: error:' line, got " + lines + "\nstderr:\n" + err
                    + "\nstdout:\n" + out);
        }
        return lines.get(0);
    }

    @Override
    public String toString() {
        return "exit " + exitCode + "\n--- stdout ---\n" + out + "\n--- stderr ---\n" + err;
    }
}
