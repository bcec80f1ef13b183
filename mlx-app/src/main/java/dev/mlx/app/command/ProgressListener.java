package dev.mlx.app.command;

import dev.mlx.engine.train.EpochMetrics;
import dev.mlx.engine.train.TrainingListener;
import java.io.PrintStream;
import java.util.Locale;

/**
 * Shows training progress on standard error: a bar redrawn in place on a terminal, and one line
 * per epoch always (so logs of non-interactive runs show progress too).
 */
final class ProgressListener implements TrainingListener {
    private static final int WIDTH = 30;
    private final PrintStream err;
    private final String label;
    private final int epochs;
    private final boolean interactive;
    private long lastDraw;

    ProgressListener(PrintStream err, String label, int epochs) {
        this.err = err;
        this.label = label;
        this.epochs = epochs;
        this.interactive = System.console() != null;
    }

    @Override
    public void onStep(int epoch, int step, int steps, double loss) {
        long now = System.nanoTime();
        if (!interactive || (now - lastDraw < 200_000_000L && step != steps)) {
            return;
        }
        lastDraw = now;
        int filled = (int) Math.round(WIDTH * (double) step / steps);
        err.printf(Locale.ROOT, "\r%-8s epoch %2d/%d [%s%s] %3d%% loss %.4f", label, epoch, epochs,
                "#".repeat(filled), ".".repeat(WIDTH - filled), 100 * step / steps, loss);
        err.flush();
    }

    @Override
    public void onEpoch(EpochMetrics m) {
        if (interactive) {
            err.print("\r" + " ".repeat(100) + "\r");
        }
        String test = m.test() == null ? "" : String.format(Locale.ROOT, "  test avg %.2f%% wg %.2f%%",
                100 * m.test().averageGroupAccuracy(), 100 * m.test().worstGroupAccuracy());
        err.printf(Locale.ROOT, "%-8s epoch %2d/%d  loss %.4f  penalty %.4g  train %.2f%%%s  %.1fs%n", label, m.epoch(),
                epochs, m.taskLoss(), m.penalty(), 100 * m.trainAccuracy(), test, m.seconds());
        err.flush();
    }
}
