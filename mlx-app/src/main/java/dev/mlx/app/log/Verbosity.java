package dev.mlx.app.log;

import ch.qos.logback.classic.Level;

/**
 * How much mlx prints to the terminal ({@code -q}, default, {@code -v}, {@code -vv}). The full log
 * goes to {@code mlx.log} in the run folder whatever is chosen here ({@link RunLog}).
 */
public enum Verbosity {
    /** {@code -q}: errors and the result only; no progress. */
    QUIET(Level.ERROR),
    /** The default: a header, progress, the epoch lines and the result; log warnings. */
    NORMAL(Level.WARN),
    /** {@code -v}: also the INFO log (data loading, engine start, every run's settings). */
    VERBOSE(Level.INFO),
    /** {@code -vv}: also the DEBUG log (the plugin list, skipped work). */
    DEBUG(Level.DEBUG);

    private final Level console;

    Verbosity(Level console) {
        this.console = console;
    }

    /** @return the lowest log level shown on the terminal */
    public Level consoleLevel() {
        return console;
    }

    /** @return true unless quiet: progress bars and epoch lines are shown */
    public boolean showsProgress() {
        return this != QUIET;
    }

    /**
     * Reads {@code -q/--quiet} and {@code -v/--verbose} (repeatable, or {@code -vv}) from anywhere in
     * the arguments, before picocli parses them (the log must be set up before anything logs).
     *
     * @param args the command line
     * @return the verbosity
     */
    public static Verbosity of(String[] args) {
        int verbose = 0;
        boolean quiet = false;
        for (String a : args) {
            if (a.equals("--")) {
                break;
            }
            switch (a) {
                case "-q", "--quiet" -> quiet = true;
                case "-v", "--verbose" -> verbose++;
                case "-vv" -> verbose += 2;
                default -> {
                }
            }
        }
        if (quiet) {
            return QUIET;
        }
        return verbose == 0 ? NORMAL : verbose == 1 ? VERBOSE : DEBUG;
    }
}
