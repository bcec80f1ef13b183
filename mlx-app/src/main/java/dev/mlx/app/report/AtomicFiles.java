package dev.mlx.app.report;

import dev.mlx.api.error.ErrorKind;
import dev.mlx.api.error.MlxException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Report files written all-or-nothing: the bytes go to a hidden temporary file next to the target,
 * which is then renamed over it, so a reader (or a crash) never sees half a file.
 */
public final class AtomicFiles {
    private AtomicFiles() {}

    /**
     * @param file the file to (re)place; its folder must exist
     * @param bytes its content
     * @throws MlxException (resources) if it cannot be written
     */
    public static void write(Path file, byte[] bytes) {
        Path tmp = null;
        try {
            tmp = Files.createTempFile(file.toAbsolutePath().getParent(), "." + file.getFileName(), ".tmp");
            Files.write(tmp, bytes);
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // best effort: the error below says what went wrong
                }
            }
            throw new MlxException(ErrorKind.RESOURCES, "cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * @param file the file to (re)place; its folder must exist
     * @param text its content, written as UTF-8
     * @throws MlxException (resources) if it cannot be written
     */
    public static void writeString(Path file, String text) {
        write(file, text.getBytes(StandardCharsets.UTF_8));
    }
}
