package dev.mlx.api.error;

/**
 * What kind of failure an {@link MlxException} reports. The launcher maps it to an exit code.
 */
public enum ErrorKind {
    /** The user can fix it: a bad option, a missing or corrupt file, an unknown plugin name. Exit code 2. */
    USER(2),
    /** A resource could not be had: a download, disk space, native memory. Exit code 3. */
    RESOURCES(3),
    /** A defect in mlx or in a plugin. Exit code 4. */
    INTERNAL(4);

    private final int exitCode;

    ErrorKind(int exitCode) {
        this.exitCode = exitCode;
    }

    /** @return the process exit code the launcher uses for this kind of failure */
    public int exitCode() {
        return exitCode;
    }
}
