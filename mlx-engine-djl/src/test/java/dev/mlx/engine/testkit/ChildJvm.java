package dev.mlx.engine.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs a main class of the test class path in a fresh JVM and captures its output. */
public final class ChildJvm {
    private ChildJvm() {}

    /**
     * Result of a child run.
     *
     * @param exitCode the exit code
     * @param output standard output and error, merged
     */
    public record Result(int exitCode, String output) {}

    /**
     * @param prefix command words before {@code java} (e.g. {@code unshare -n}), may be empty
     * @param jvmArgs JVM options
     * @param env extra environment variables
     * @param mainClass the class to run
     * @param args its arguments
     * @return exit code and output
     */
    public static Result run(List<String> prefix, List<String> jvmArgs, Map<String, String> env, Class<?> mainClass,
            String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(prefix);
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmArgs);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass.getName());
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IllegalStateException("child JVM timed out: " + command);
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    /** @return whether {@code unshare -n} (an empty network namespace) works here */
    public static boolean canUnshareNetwork() {
        try {
            Process p = new ProcessBuilder("unshare", "-n", "true").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }
}
