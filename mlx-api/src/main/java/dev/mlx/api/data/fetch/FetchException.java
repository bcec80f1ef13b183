package dev.mlx.api.data.fetch;

import java.io.IOException;

/**
 * The download itself failed or is not the pinned content: npm could not be started, failed,
 * timed out or wrote no tarball, or a tarball or file has another SHA-256 than its pin. A plain
 * {@link IOException} from this package is a local I/O error instead (a full disk, a read-only
 * cache folder). The message names what failed and, where there is one, the usual fix.
 */
public class FetchException extends IOException {
    private static final long serialVersionUID = 1L;

    /** @param message what failed, and the usual fix */
    public FetchException(String message) {
        super(message);
    }

    /**
     * @param message what failed, and the usual fix
     * @param cause the underlying error
     */
    public FetchException(String message, Throwable cause) {
        super(message, cause);
    }
}
