package dev.mlx.app.command;

import dev.mlx.api.error.ErrorKind;
import dev.mlx.api.error.MlxException;
import java.util.Optional;

/**
 * Turns libtorch's out-of-memory failures (they reach Java as DJL {@code EngineException}s with
 * libtorch's message) into one resources error (exit 3) that says what to change: a smaller batch,
 * gradient accumulation with {@code --fragments}, or another device.
 */
public final class DeviceMemoryErrors {
    private DeviceMemoryErrors() {}

    /**
     * @param failure any failure of a command
     * @return the user-facing error when the failure (or a cause) is libtorch running out of GPU or
     *     CPU memory, else empty
     */
    public static Optional<MlxException> translate(Throwable failure) {
        for (Throwable c = failure; c != null; c = c.getCause()) {
            String m = c.getMessage();
            if (m == null) {
                continue;
            }
            String first = m.lines().findFirst().orElse(m).strip();
            if (m.contains("CUDA out of memory") || m.contains("CUBLAS_STATUS_ALLOC_FAILED")) {
                return Optional.of(new MlxException(ErrorKind.RESOURCES, "the GPU ran out of memory (" + first
                        + "). Use a smaller --batch-size, or --fragments N to split every batch into N parts with the "
                        + "same result, or run with --device cpu", c));
            }
            if (m.contains("DefaultCPUAllocator: can't allocate memory")
                    || m.contains("DefaultCPUAllocator: not enough memory")) {
                return Optional.of(new MlxException(ErrorKind.RESOURCES, "libtorch ran out of memory on the CPU ("
                        + first + "). Use a smaller --batch-size, or --fragments N to split every batch into N parts "
                        + "with the same result", c));
            }
        }
        return Optional.empty();
    }
}
