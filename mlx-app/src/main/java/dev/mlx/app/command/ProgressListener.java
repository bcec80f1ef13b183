package dev.mlx.app.command;

import dev.mlx.engine.train.EpochMetrics;
import dev.mlx.engine.train.TrainingListener;
import java.io.PrintStream;
import dev.mlx.app.exec.Durations;
import java.util.Locale;
import java.util.function.DoubleSupplier;

/**
 * Shows training progress on standard error. On a terminal, a bar redrawn in place inside each
 * epoch (step / steps, samples/s, the time left, the running mean of loss + penalty); elsewhere (CI, a log file, a
 * Slurm job) the same facts as a plain line every {@link #PLAIN_INTERVAL_NANOS 30 s}. One line per
 * finished epoch always. Nothing with {@code -q}.
 */
final class ProgressListener implements TrainingListener {
    /** How often a non-terminal gets a progress line inside an epoch. */
    static final long PLAIN_INTERVAL_NANOS = 30_000_000_000L;
    private static final int WIDTH = 24;
    private final PrintStream err;
    private final String label;
    private final int epochs;
    private final int batchSize;
    private final boolean interactive;
    private final boolean quiet;
    private final long plainInterval;
    private long lastDraw;
    private long epochStart;
    private int epochStarted = -1;
    private double lastEpochSeconds = Double.NaN;

    /**
     * @param err where to draw
     * @param label the method's name, first on every line
     * @param epochs epochs of the run
     * @param batchSize examples per step, for samples/s
     * @param quiet true with {@code -q}: show nothing
     */
    ProgressListener(PrintStream err, String label, int epochs, int batchSize, boolean quiet) {
        this(err, label, epochs, batchSize, quiet, System.console() != null, PLAIN_INTERVAL_NANOS);
    }

    /** As above, with the terminal test and the plain-line interval given (for tests). */
    ProgressListener(PrintStream err, String label, int epochs, int batchSize, boolean quiet, boolean interactive,
            long plainIntervalNanos) {
        this.plainInterval = plainIntervalNanos;
        this.err = err;
        this.label = label;
        this.epochs = epochs;
        this.batchSize = batchSize;
        this.quiet = quiet;
        this.interactive = interactive;
    }

    @Override
    public void onStep(int epoch, int step, int steps, DoubleSupplier meanLoss) {
        if (quiet) {
            return;
        }
        long now = System.nanoTime();
        if (epoch != epochStarted) {
            epochStarted = epoch;
            epochStart = now - 1;
            lastDraw = now;
        }
        long interval = interactive ? 200_000_000L : plainInterval;
        if (now - lastDraw < interval && !(interactive && step == steps)) {
            return;
        }
        lastDraw = now;
        double loss = meanLoss.getAsDouble(); // reads the device: only when something is drawn
        err.print(interactive ? "\r" + bar(epoch, step, steps, now, loss) : line(epoch, step, steps, now, loss) + "\n");
        err.flush();
    }

    /** @return the facts of the moment: step, samples/s, time left in the run, running loss */
    private String facts(int epoch, int step, int steps, long now, double loss) {
        double seconds = (now - epochStart) / 1e9;
        double perStep = seconds / Math.max(1, step);
        double left = perStep * (steps - step) + (epochs - epoch) * (Double.isNaN(lastEpochSeconds)
                ? perStep * steps : lastEpochSeconds);
        return String.format(Locale.ROOT, "%d/%d  %.0f samples/s  ETA %s  loss+penalty %.4f", step, steps,
                step * (double) batchSize / seconds, Durations.format(left), loss);
    }

    private String bar(int epoch, int step, int steps, long now, double loss) {
        int filled = (int) Math.round(WIDTH * (double) step / steps);
        String text = String.format(Locale.ROOT, "%-8s epoch %2d/%d [%s%s] %s", label, epoch, epochs,
                "#".repeat(filled), ".".repeat(WIDTH - filled), facts(epoch, step, steps, now, loss));
        return text + " ".repeat(Math.max(0, 110 - text.length()));
    }

    private String line(int epoch, int step, int steps, long now, double loss) {
        return String.format(Locale.ROOT, "%-8s epoch %2d/%d step %s", label, epoch, epochs,
                facts(epoch, step, steps, now, loss));
    }

    @Override
    public void onEpoch(EpochMetrics m) {
        lastEpochSeconds = m.seconds();
        if (quiet) {
            return;
        }
        if (interactive) {
            err.print("\r" + " ".repeat(110) + "\r");
        }
        String test = m.test() == null ? "" : String.format(Locale.ROOT, "  test avg %.2f%% wg %.2f%%",
                100 * m.test().averageGroupAccuracy(), 100 * m.test().worstGroupAccuracy());
        err.printf(Locale.ROOT, "%-8s epoch %2d/%d  loss %.4f  penalty %.4g  train %.2f%%%s  %.1fs%n", label, m.epoch(),
                epochs, m.taskLoss(), m.penalty(), 100 * m.trainAccuracy(), test, m.seconds());
        err.flush();
    }
}
