package dev.mlx.app.exec;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Counts a batch of trials as they run (done / running / queued / failed) and prints one status
 * line with an estimate of the time left on every change. The estimate is the mean wall time of
 * the trials finished so far times the work left, spread over the trials that run at once (the
 * executor's limit, or the most seen running together when the limit is a cluster's unknown capacity).
 * Thread-safe.
 */
public final class TrialProgress {
    private final String label;
    private final int total;
    private final int parallelism;
    private final PrintStream out;
    private int running;
    private int done;
    private int failed;
    private double endedSeconds;
    private int timed;
    private int mostRunning;

    /**
     * @param label prefix of every line, e.g. {@code "mlx sweep"}
     * @param total trials in this batch
     * @param parallelism trials that can run at once
     * @param out where to print
     */
    public TrialProgress(String label, int total, int parallelism, PrintStream out) {
        this.label = label;
        this.total = total;
        this.parallelism = Math.max(1, parallelism);
        this.out = out;
    }

    /** A trial started running. */
    public synchronized void started() {
        running++;
        mostRunning = Math.max(mostRunning, running);
        print();
    }

    /**
     * A trial ended.
     *
     * @param ok whether it produced its result
     * @param seconds its wall time ({@code NaN} if unknown)
     */
    public synchronized void ended(boolean ok, double seconds) {
        running = Math.max(0, running - 1);
        if (ok) {
            done++;
        } else {
            failed++;
        }
        if (Double.isFinite(seconds)) {
            endedSeconds += seconds;
            timed++;
        }
        print();
    }

    /** @return trials not yet started */
    public synchronized int queued() {
        return total - running - done - failed;
    }

    /** @return the status line, e.g. {@code 3 done, 2 running, 5 queued, 0 failed of 10; ETA 4 min} */
    public synchronized String status() {
        return String.format(Locale.ROOT, "%d done, %d running, %d queued, %d failed of %d; %s", done, running,
                queued(), failed, total, eta());
    }

    private String eta() {
        int left = queued() + running;
        if (left == 0) {
            return "finished";
        }
        if (timed == 0) {
            return "ETA after the first trial ends";
        }
        double mean = endedSeconds / timed;
        // a cluster's capacity is unknown: the most trials seen running at once stands for it
        int width = Math.max(1, Math.min(parallelism, mostRunning));
        double seconds = mean * (queued() + 0.5 * running) / Math.min(width, left);
        return "ETA " + Durations.format(seconds);
    }

    private void print() {
        out.println(label + ": " + status());
    }
}
