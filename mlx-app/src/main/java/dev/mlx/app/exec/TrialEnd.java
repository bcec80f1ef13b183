package dev.mlx.app.exec;

import java.nio.file.Path;
import java.util.Optional;

/**
 * How a trial ended, as its executor saw it. Whether it succeeded is decided by its result file,
 * not by this: an exit code of 0 without a result is a failure too.
 *
 * @param exitCode the trial process's exit code, or {@link #LOST} when the executor lost it (a
 *     Slurm task cancelled, timed out or killed before the process could report)
 * @param seconds wall time from start to end as the executor measured it ({@code NaN} if unknown)
 * @param executorLog the executor's own log of the trial (a Slurm task's output file), if any
 * @param note what the executor knows about the end, e.g. {@code "Slurm state TIMEOUT"} ({@code ""} if nothing)
 */
public record TrialEnd(int exitCode, double seconds, Optional<Path> executorLog, String note) {
    /** The exit code of a trial whose process never reported one. */
    public static final int LOST = -1;
}
