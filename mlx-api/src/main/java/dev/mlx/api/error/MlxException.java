package dev.mlx.api.error;

/**
 * The root of every exception mlx and its plugins throw on purpose. The message must name the
 * problem and say what to do about it; the launcher prints it as one line and exits with
 * {@link ErrorKind#exitCode()}.
 */
public class MlxException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final ErrorKind kind;

    public MlxException(ErrorKind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public MlxException(ErrorKind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    /** A problem the user can fix (bad input, bad option, missing file). */
    public static MlxException userError(String message) {
        return new MlxException(ErrorKind.USER, message);
    }

    /** A problem the user can fix, caused by {@code cause}. */
    public static MlxException userError(String message, Throwable cause) {
        return new MlxException(ErrorKind.USER, message, cause);
    }

    /** @return what kind of failure this is */
    public ErrorKind kind() {
        return kind;
    }
}
