package dev.mlx.app.exec;

import dev.mlx.api.error.ErrorKind;
import dev.mlx.api.error.MlxException;
import dev.mlx.app.report.AtomicFiles;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs trials as one Slurm job array: task {@code i} runs the {@code i}-th trial folder of
 * {@code <folder>/slurm/tasks.txt} with the same {@link TrialProcess#command} the local executor
 * uses, so results do not depend on where a trial ran. The folder must be on a filesystem the
 * compute nodes share (as submitit's job folder): trials write their logs and results there.
 *
 * <p>What is written to {@code <folder>/slurm/}: {@code tasks.txt}, the batch script
 * {@code array.sh}, {@code job-id} (the array's id, for {@code mlx sweep --cancel}) and Slurm's
 * per-task output {@code <job>_<task>.out}. Each task writes its trial process's exit code to
 * {@code <trial>/exit-code} when the process ends.
 *
 * <p>State comes from {@code squeue -r} (polled); a task that left the queue is ended, with the
 * exit code its script wrote. A task that left without one was lost or killed by Slurm (cancelled,
 * out of time, out of memory, node failure): it is reported failed with its state from
 * {@code scontrol show job} where the controller still knows it, and the path of its Slurm log.
 * If this JVM is stopped (Ctrl-C) while the array runs, a shutdown hook cancels it
 * ({@code scancel}); {@link #cancel} does the same from another shell.
 */
public final class SlurmExecutor implements TrialExecutor {
    /** The executor's folder inside the sweep's (or ablation's) folder. */
    public static final String STATE_DIR = "slurm";
    /** The array's job id, inside {@link #STATE_DIR}. */
    public static final String JOB_FILE = "job-id";
    /** The exit code a task's script writes into its trial folder. */
    public static final String EXIT_FILE = "exit-code";
    private static final Pattern RANGE = Pattern.compile("^(\\d+)-(\\d+)(%\\d+)?$");
    /** How long a task may be gone from the queue before its exit code shows on a shared filesystem. */
    private static final long EXIT_FILE_GRACE_NANOS = 15_000_000_000L;
    /** How long squeue may fail in a row before the executor gives up. */
    private static final long QUEUE_SILENCE_NANOS = 180_000_000_000L;

    private final TrialProcess process;
    private final SlurmOptions options;
    private final Path folder;
    private final PrintStream err;
    private final long pollMillis;

    /**
     * @param process the trial command (its thread count should be the task's CPUs)
     * @param options what to ask Slurm for
     * @param folder the sweep's folder (shared with the compute nodes)
     * @param err where to say what was submitted
     * @param pollMillis how often to ask squeue
     */
    public SlurmExecutor(TrialProcess process, SlurmOptions options, Path folder, PrintStream err, long pollMillis) {
        this.process = process;
        this.options = options;
        this.folder = folder.toAbsolutePath();
        this.err = err;
        this.pollMillis = pollMillis;
    }

    @Override
    public void check() {
        for (String tool : List.of("sbatch", "squeue")) {
            if (ShellCommand.onPath(tool).isEmpty()) {
                throw new MlxException(ErrorKind.RESOURCES, "--executor slurm needs Slurm's " + tool
                        + " on the PATH, and there is none; install Slurm's client tools (Debian: slurm-client) or load "
                        + "your cluster's Slurm module, or use --executor local");
            }
        }
        if (ShellCommand.onPath("scontrol").isPresent()) {
            ShellCommand ping = ShellCommand.run(30, List.of("scontrol", "ping"));
            if (ping.exitCode() != 0 || !ping.output().contains("UP")) {
                throw new MlxException(ErrorKind.RESOURCES, "--executor slurm: no Slurm controller answers (scontrol "
                        + "ping: " + ping.firstLine() + "); start slurmctld or point SLURM_CONF at your cluster's "
                        + "slurm.conf, or use --executor local");
            }
        }
    }

    @Override
    public int parallelism() {
        return options.throttle() > 0 ? options.throttle() : Integer.MAX_VALUE;
    }

    @Override
    public String describe() {
        List<String> flags = options.sbatchFlags(1);
        return "slurm: one job array, " + String.join(" ", flags.subList(1, flags.size()))
                + (options.throttle() > 0 ? ", at most " + options.throttle() + " tasks at once" : "")
                + ", -Xmx" + process.heap() + " per trial";
    }

    @Override
    public void runAll(List<Path> trialDirs, TrialListener listener) {
        if (trialDirs.isEmpty()) {
            return;
        }
        Path state = folder.resolve(STATE_DIR);
        Path tasks = state.resolve("tasks.txt");
        Path script = state.resolve("array.sh");
        try {
            Files.createDirectories(state);
            StringBuilder lines = new StringBuilder();
            for (Path dir : trialDirs) {
                Files.deleteIfExists(dir.resolve(EXIT_FILE));
                lines.append(dir.toAbsolutePath()).append('\n');
            }
            Files.writeString(tasks, lines, StandardCharsets.UTF_8);
            Files.writeString(script, script(tasks), StandardCharsets.UTF_8);
            script.toFile().setExecutable(true);
        } catch (IOException e) {
            throw new MlxException(ErrorKind.RESOURCES, "cannot write the Slurm batch script in " + state + ": "
                    + e.getMessage(), e);
        }
        List<String> submit = new ArrayList<>(List.of("sbatch", "--parsable", "--job-name=mlx-" + folder.getFileName(),
                "--chdir=" + folder, "--output=" + state.resolve("%A_%a.out")));
        submit.addAll(options.sbatchFlags(trialDirs.size()));
        submit.add(script.toString());
        ShellCommand sbatch = ShellCommand.run(120, submit);
        if (sbatch.exitCode() != 0) {
            throw new MlxException(ErrorKind.RESOURCES, "sbatch refused the job array: "
                    + sbatch.output().replaceAll("\\s*\\R\\s*", " ") + " (command: " + String.join(" ", submit) + ")");
        }
        String jobId = sbatch.output().lines().reduce((a, b) -> b).orElse("").split(";")[0].strip();
        if (!jobId.matches("\\d+")) {
            throw new MlxException(ErrorKind.RESOURCES, "sbatch answered '" + sbatch.output() + "', not a job id");
        }
        AtomicFiles.writeString(state.resolve(JOB_FILE), jobId + "\n");
        err.println("slurm: submitted job array " + jobId + " (" + trialDirs.size() + " tasks); Slurm logs in " + state
                + "; cancel with: mlx sweep --cancel " + folder);
        AtomicBoolean finished = new AtomicBoolean();
        Thread canceller = new Thread(() -> {
            if (!finished.get()) {
                ShellCommand.run(30, List.of("scancel", jobId));
            }
        }, "mlx-scancel");
        Runtime.getRuntime().addShutdownHook(canceller);
        try {
            poll(jobId, trialDirs, state, listener);
        } finally {
            finished.set(true);
            try {
                Runtime.getRuntime().removeShutdownHook(canceller);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs and sees the array finished
            }
        }
    }

    private void poll(String jobId, List<Path> dirs, Path state, TrialListener listener) {
        int n = dirs.size();
        long submitted = System.nanoTime();
        Set<Integer> ended = new HashSet<>();
        Map<Integer, Long> started = new HashMap<>();
        Map<Integer, Long> goneSince = new HashMap<>();
        long lastAnswer = System.nanoTime();
        String lastProblem = "";
        while (ended.size() < n) {
            try {
                Thread.sleep(pollMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new MlxException(ErrorKind.RESOURCES, "interrupted while job array " + jobId + " runs; it goes "
                        + "on: cancel it with scancel " + jobId + ", or wait and resume", e);
            }
            Optional<Map<Integer, String>> queue = queue(jobId);
            if (queue.isEmpty()) {
                if (System.nanoTime() - lastAnswer > QUEUE_SILENCE_NANOS) {
                    throw new MlxException(ErrorKind.RESOURCES, "squeue has not answered for "
                            + QUEUE_SILENCE_NANOS / 1_000_000_000L + " s; job array " + jobId + " may still run. "
                            + "Check the cluster, then resume (finished trials are kept) or scancel " + jobId);
                }
                continue;
            }
            lastAnswer = System.nanoTime();
            for (int k = 0; k < n; k++) {
                if (ended.contains(k)) {
                    continue;
                }
                String s = queue.get().get(k);
                Path dir = dirs.get(k);
                if (s != null) {
                    goneSince.remove(k);
                    if (!s.equals("PENDING") && !started.containsKey(k)) {
                        started.put(k, System.nanoTime());
                        listener.started(dir);
                    }
                    continue;
                }
                Path log = state.resolve(jobId + "_" + k + ".out");
                Optional<Integer> code = exitCode(dir);
                long now = System.nanoTime();
                goneSince.putIfAbsent(k, now);
                if (code.isEmpty() && now - goneSince.get(k) < EXIT_FILE_GRACE_NANOS) {
                    continue;
                }
                if (!started.containsKey(k)) {
                    started.put(k, submitted);
                    listener.started(dir);
                }
                ended.add(k);
                double seconds = (now - started.get(k)) / 1e9;
                if (code.isPresent()) {
                    listener.ended(dir, new TrialEnd(code.get(), seconds, Optional.of(log), ""));
                } else {
                    String slurmState = taskState(jobId, k);
                    boolean ran = Files.exists(log);
                    listener.ended(dir, new TrialEnd(TrialEnd.LOST, seconds, Optional.of(log),
                            "Slurm task " + jobId + "_" + k + " ended without the trial reporting an exit code"
                                    + (!slurmState.isEmpty() ? " (Slurm state " + slurmState + ")"
                                            : " (Slurm no longer knows the task: cancelled before it ran, or purged)")
                                    + "; Slurm's log: " + log + (ran ? "" : " (not written: the task never started)")));
                }
            }
        }
    }

    /** @return task index to Slurm state, or empty when squeue failed this time */
    private static Optional<Map<Integer, String>> queue(String jobId) {
        ShellCommand q = ShellCommand.run(60, List.of("squeue", "-h", "-r", "-j", jobId, "-o", "%K %T"));
        if (q.exitCode() != 0) {
            // after MinJobAge the controller forgets the array: nothing of it is queued any more
            return q.output().contains("Invalid job id") ? Optional.of(Map.of()) : Optional.empty();
        }
        Map<Integer, String> states = new HashMap<>();
        for (String line : q.output().lines().toList()) {
            String[] parts = line.strip().split("\\s+");
            if (parts.length != 2) {
                continue;
            }
            Matcher range = RANGE.matcher(parts[0]);
            if (parts[0].matches("\\d+")) {
                states.put(Integer.parseInt(parts[0]), parts[1]);
            } else if (range.matches()) {
                for (int k = Integer.parseInt(range.group(1)); k <= Integer.parseInt(range.group(2)); k++) {
                    states.put(k, parts[1]);
                }
            }
        }
        return Optional.of(states);
    }

    /**
     * @return the task's state as the controller remembers it (e.g. {@code TIMEOUT}, {@code CANCELLED},
     *     with the reason), or "" when it no longer knows the task (a pending task cancelled before it
     *     ran leaves no record of its own)
     */
    private static String taskState(String jobId, int task) {
        ShellCommand show = ShellCommand.run(30, List.of("scontrol", "-o", "show", "job", jobId));
        if (show.exitCode() != 0) {
            return "";
        }
        for (String line : show.output().lines().toList()) {
            if (!line.matches(".*\\bArrayTaskId=" + task + "\\b.*")) {
                continue;
            }
            Matcher m = Pattern.compile("JobState=(\\S+)").matcher(line);
            Matcher r = Pattern.compile("Reason=(\\S+)").matcher(line);
            String reason = r.find() && !r.group(1).equals("None") ? " " + r.group(1) : "";
            return m.find() ? m.group(1) + reason : "";
        }
        return "";
    }

    private static Optional<Integer> exitCode(Path trialDir) {
        try {
            return Optional.of(Integer.parseInt(Files.readString(trialDir.resolve(EXIT_FILE)).strip()));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** @return the batch script: task i runs line i+1 of the tasks file with the trial command */
    private String script(Path tasks) {
        List<String> cmd = new ArrayList<>(process.command(Path.of("/")));
        cmd.remove(cmd.size() - 1);
        StringBuilder s = new StringBuilder();
        s.append("#!/bin/bash\n");
        s.append("# Written by mlx: one trial per array task; task i runs the trial folder on line i+1 of ")
                .append(tasks.getFileName()).append(".\n");
        s.append("set -u\n");
        TrialProcess.ENVIRONMENT.forEach((k, v) -> s.append("export ").append(k).append('=').append(quote(v))
                .append('\n'));
        s.append("dir=\"$(sed -n \"$((SLURM_ARRAY_TASK_ID + 1))p\" ").append(quote(tasks.toString())).append(")\"\n");
        s.append("if [ -z \"$dir\" ]; then echo \"mlx: no trial for array task $SLURM_ARRAY_TASK_ID\" >&2; exit 2; fi\n");
        s.append("echo \"mlx: trial $dir on $(hostname) as Slurm task ${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID}\"\n");
        for (String arg : cmd) {
            s.append(quote(arg)).append(" \\\n  ");
        }
        s.append("\"$dir\" >>\"$dir/").append(TrialProcess.LOG_FILE).append("\" 2>&1\n");
        s.append("code=$?\n");
        s.append("echo \"$code\" >\"$dir/").append(EXIT_FILE).append(".tmp\" && mv -f \"$dir/").append(EXIT_FILE)
                .append(".tmp\" \"$dir/").append(EXIT_FILE).append("\"\n");
        s.append("exit \"$code\"\n");
        return s.toString();
    }

    private static String quote(String arg) {
        return "'" + arg.replace("'", "'\\''") + "'";
    }

    /**
     * Cancels the job array a sweep submitted ({@code mlx sweep --cancel DIR}).
     *
     * @param folder the sweep's folder
     * @return what was done, one line
     * @throws MlxException (user error) when the folder has no submitted array; (resources) when
     *     scancel is missing or fails
     */
    public static String cancel(Path folder) {
        Path file = folder.resolve(STATE_DIR).resolve(JOB_FILE);
        String jobId;
        try {
            jobId = Files.readString(file).strip();
        } catch (IOException e) {
            throw MlxException.userError(folder + " holds no Slurm job array (" + file + " is missing); only a sweep "
                    + "run with --executor slurm can be cancelled this way", e);
        }
        if (ShellCommand.onPath("scancel").isEmpty()) {
            throw new MlxException(ErrorKind.RESOURCES, "scancel is not on the PATH; cancel job " + jobId
                    + " from a machine with Slurm's client tools");
        }
        ShellCommand c = ShellCommand.run(60, List.of("scancel", jobId));
        if (c.exitCode() != 0) {
            throw new MlxException(ErrorKind.RESOURCES, "scancel " + jobId + " failed: " + c.firstLine());
        }
        return String.format(Locale.ROOT, "cancelled Slurm job array %s of %s; finished trials keep their results, "
                + "resume with --resume", jobId, folder);
    }
}
