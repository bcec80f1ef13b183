package dev.mlx.app.exec;

import java.util.Locale;

/** How mlx prints a span of time (estimates of time left, trial and run durations): one format everywhere. */
public final class Durations {
    private Durations() {}

    /**
     * @param seconds a span in seconds
     * @return {@code 45 s} (under 90 s), {@code 12 min} (under 90 min), {@code 3.4 h}; {@code ?} if not finite
     */
    public static String format(double seconds) {
        if (!Double.isFinite(seconds)) {
            return "?";
        }
        if (seconds < 90) {
            return Math.round(seconds) + " s";
        }
        if (seconds < 5400) {
            return Math.round(seconds / 60) + " min";
        }
        return String.format(Locale.ROOT, "%.1f h", seconds / 3600);
    }
}
