package dev.mlx.engine;

import ai.djl.pytorch.jni.JniUtils;
import dev.mlx.api.error.MlxException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * libtorch's operator profiler around a piece of work: on {@link #close()} it writes a Chrome trace
 * ({@code chrome://tracing}, Perfetto) of every operator run on the calling thread in between, with
 * its input shapes and times, the autograd functions of backward passes included. What the
 * performance notes' profiles are made of ({@code ./mlx bench --op-trace DIR},
 * {@code bench/op-trace-summary.py}). One trace at a time per process.
 */
public final class OperatorTrace implements AutoCloseable {
    private final Path file;
    private boolean open = true;

    private OperatorTrace(Path file) {
        this.file = file;
    }

    /**
     * Starts recording.
     *
     * @param file where the trace is written on close; its folder must exist
     * @return the running trace
     */
    public static OperatorTrace start(Path file) {
        Path folder = file.toAbsolutePath().getParent();
        if (folder == null || !Files.isDirectory(folder)) {
            throw MlxException.userError("cannot write an operator trace to " + file + ": its folder does not exist");
        }
        JniUtils.startProfile(false, true, false);
        return new OperatorTrace(file);
    }

    /** @return the trace file */
    public Path file() {
        return file;
    }

    /** Stops recording and writes the trace. */
    @Override
    public void close() {
        if (open) {
            open = false;
            JniUtils.stopProfile(file.toString());
        }
    }
}
