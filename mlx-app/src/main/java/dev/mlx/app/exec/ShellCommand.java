package dev.mlx.app.exec;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A short external command (sbatch, squeue, scontrol, scancel) run to completion, its output
 * captured.
 *
 * @param exitCode the exit code ({@code -1} if it could not start or timed out)
 * @param output standard output and error, merged
 */
record ShellCommand(int exitCode, String output) {

    /**
     * @param timeoutSeconds how long to wait before giving up
     * @param command the command and its arguments
     * @return what it printed and its exit code
     */
    static ShellCommand run(int timeoutSeconds, List<String> command) {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        try {
            Process p = pb.start();
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new ShellCommand(-1, command.get(0) + " did not answer within " + timeoutSeconds + " s");
            }
            return new ShellCommand(p.exitValue(), new String(out, StandardCharsets.UTF_8).strip());
        } catch (IOException e) {
            return new ShellCommand(-1, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new ShellCommand(-1, "interrupted");
        }
    }

    /**
     * @param name a program name
     * @return where it is on the {@code PATH}, if anywhere
     */
    static Optional<Path> onPath(String name) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, name);
            if (Files.isExecutable(candidate) && !Files.isDirectory(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** @return the output's first line, for one-line messages */
    String firstLine() {
        return output.lines().findFirst().orElse("");
    }
}
