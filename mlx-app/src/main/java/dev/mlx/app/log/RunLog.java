package dev.mlx.app.log;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.filter.ThresholdFilter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.AppenderBase;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import org.slf4j.LoggerFactory;

/**
 * The full log of this command (INFO and up, DEBUG with {@code -vv}), kept in memory from the start so
 * that every run folder gets it as {@code mlx.log} whatever the terminal shows. Attached to logback's
 * root logger by {@link #install}, which also sets the terminal's threshold from the
 * {@link Verbosity}; found again by name with {@link #current}. Bounded: beyond
 * {@link #MAX_LINES} the oldest lines are dropped (and the file says so).
 */
public final class RunLog extends AppenderBase<ILoggingEvent> {
    /** The appender's name on the root logger. */
    public static final String NAME = "MLX_RUN_LOG";
    /** The console appender of {@code logback.xml}. */
    static final String CONSOLE = "STDERR";
    static final int MAX_LINES = 200_000;

    private final Deque<String> lines = new ArrayDeque<>();
    private final PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    private long dropped;

    private RunLog() {}

    /**
     * Sets up logging for one command: the terminal shows what {@code verbosity} asks for; a fresh
     * {@link RunLog} records everything.
     *
     * @param verbosity what the terminal shows
     */
    public static void install(Verbosity verbosity) {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return;
        }
        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        if (verbosity == Verbosity.DEBUG) {
            root.setLevel(Level.DEBUG);
        }
        Appender<ILoggingEvent> console = root.getAppender(CONSOLE);
        if (console != null) {
            console.clearAllFilters();
            ThresholdFilter threshold = new ThresholdFilter();
            threshold.setLevel(verbosity.consoleLevel().levelStr);
            threshold.setContext(context);
            threshold.start();
            console.addFilter(threshold);
        }
        Appender<ILoggingEvent> old = root.getAppender(NAME);
        if (old != null) {
            root.detachAppender(old);
            old.stop();
        }
        RunLog log = new RunLog();
        log.setName(NAME);
        log.setContext(context);
        log.encoder.setContext(context);
        log.encoder.setPattern("%d{yyyy-MM-dd HH:mm:ss.SSS} %-5level [%thread] %logger{36} - %msg%n%ex");
        log.encoder.setCharset(StandardCharsets.UTF_8);
        log.encoder.start();
        log.start();
        root.addAppender(log);
    }

    /** @return the log of the running command, or an empty one when logging is not logback */
    public static String current() {
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context
                && context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).getAppender(NAME) instanceof RunLog log) {
            return log.text();
        }
        return "";
    }

    @Override
    protected synchronized void append(ILoggingEvent event) {
        lines.addLast(new String(encoder.encode(event), StandardCharsets.UTF_8));
        if (lines.size() > MAX_LINES) {
            lines.removeFirst();
            dropped++;
        }
    }

    /** @return the lines so far */
    public synchronized String text() {
        StringBuilder b = new StringBuilder();
        if (dropped > 0) {
            b.append("(the first ").append(dropped).append(" log lines were dropped to bound memory)\n");
        }
        for (Iterator<String> it = lines.iterator(); it.hasNext();) {
            b.append(it.next());
        }
        return b.toString();
    }
}
