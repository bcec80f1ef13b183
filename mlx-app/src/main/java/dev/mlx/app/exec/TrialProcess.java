package dev.mlx.app.exec;

import dev.mlx.api.error.ErrorKind;
import dev.mlx.api.error.MlxException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The command line of one trial as its own JVM: {@code java <heap> <forwarded -D options> -cp <this
 * class path> dev.mlx.app.Main [--plugins-dir=D] [--cache-dir=C] trial <trial folder>}. One process
 * per trial because DJL's PyTorch engine allows one gradient collector per JVM, and a crash or leak
 * in one trial cannot touch another. The system properties forwarded are those of DJL and PyTorch
 * ({@code ai.djl.*}, {@code DJL_CACHE_DIR}, {@code ENGINE_CACHE_DIR}), with the PyTorch thread count
 * replaced by the trial's. Every executor runs this same command: the local one as a child process,
 * the Slurm one inside an array task (so a trial's result does not depend on where it ran).
 *
 * @param java the {@code java} executable
 * @param classPath the class path of this JVM
 * @param heap the child's {@code -Xmx} value, e.g. {@code 3g}
 * @param threads PyTorch intra-op threads of the child
 * @param pluginsDir the plugins folder to pass on
 * @param cacheDir the dataset cache to pass on
 * @param device the {@code --device} to pass on ({@code auto}: a Slurm task with a GPU uses it)
 */
public record TrialProcess(String java, String classPath, String heap, int threads, Path pluginsDir, Path cacheDir,
        String device) {
    /** The log file of a trial, inside its folder: the trial process's standard output and error. */
    public static final String LOG_FILE = "trial.log";
    /** The hidden command that runs one trial folder ({@code dev.mlx.app.ablate.TrialCommand}). */
    public static final String COMMAND = "trial";
    /** The environment of every trial process: DJL stays offline and sends nothing. */
    public static final Map<String, String> ENVIRONMENT = Map.of("DJL_OFFLINE", "true", "OPT_OUT_TRACKING", "true");

    /**
     * @param heap the child's {@code -Xmx} value
     * @param threads PyTorch threads of the child
     * @param pluginsDir the plugins folder
     * @param cacheDir the dataset cache
     * @param device the device request
     * @return a launcher for this JVM's {@code java} and class path
     */
    public static TrialProcess ofCurrentJvm(String heap, int threads, Path pluginsDir, Path cacheDir, String device) {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        return new TrialProcess(java, System.getProperty("java.class.path"), heap, threads, pluginsDir, cacheDir,
                device);
    }

    /** @return the same launcher with another thread count */
    public TrialProcess withThreads(int n) {
        return new TrialProcess(java, classPath, heap, n, pluginsDir, cacheDir, device);
    }

    /** @return the same launcher with another heap */
    public TrialProcess withHeap(String h) {
        return new TrialProcess(java, classPath, h, threads, pluginsDir, cacheDir, device);
    }

    /**
     * @param trialDir the trial's folder
     * @return the child's command line
     */
    public List<String> command(Path trialDir) {
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        cmd.add("-Xmx" + heap);
        cmd.add("-Djava.awt.headless=true");
        Map<String, String> props = new TreeMap<>();
        for (String key : System.getProperties().stringPropertyNames()) {
            if (key.startsWith("ai.djl.") || key.equals("DJL_CACHE_DIR") || key.equals("ENGINE_CACHE_DIR")) {
                props.put(key, System.getProperty(key));
            }
        }
        props.put("ai.djl.offline", "true");
        props.put("ai.djl.pytorch.num_threads", Integer.toString(threads));
        props.put("ai.djl.pytorch.num_interop_threads", "1");
        props.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
        cmd.add("-cp");
        cmd.add(classPath);
        cmd.add("dev.mlx.app.Main");
        // absolute paths: picocli refuses an option value equal to a subcommand name (the default "plugins")
        if (pluginsDir != null) {
            cmd.add("--plugins-dir=" + pluginsDir.toAbsolutePath());
        }
        if (cacheDir != null) {
            cmd.add("--cache-dir=" + cacheDir.toAbsolutePath());
        }
        if (device != null) {
            cmd.add("--device=" + device);
        }
        cmd.add("--verbose"); // the trial's log file holds the INFO log
        cmd.add(COMMAND);
        cmd.add(trialDir.toAbsolutePath().toString());
        return cmd;
    }

    /**
     * Starts the trial as a child of this JVM, its output appended to {@link #LOG_FILE}.
     *
     * @param trialDir the trial's folder
     * @return the started process
     */
    Process start(Path trialDir) {
        ProcessBuilder pb = new ProcessBuilder(command(trialDir));
        pb.redirectErrorStream(true);
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(trialDir.resolve(LOG_FILE).toFile()));
        pb.environment().putAll(ENVIRONMENT);
        try {
            return pb.start();
        } catch (IOException e) {
            throw new MlxException(ErrorKind.RESOURCES, "cannot start the trial process " + java + ": "
                    + e.getMessage(), e);
        }
    }
}
