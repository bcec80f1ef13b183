package dev.mlx.app.exec;

import dev.mlx.api.error.MlxException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Option;

/**
 * The executor options of the commands that run many trials ({@code mlx sweep}, {@code mlx ablate}),
 * a picocli mixin. {@link #executor} turns them into the one {@link TrialExecutor} the command uses.
 *
 * <p>Local defaults do not oversubscribe the machine: with {@code C} cores, {@code T} PyTorch
 * threads per trial (default 1 when {@code --jobs} is not given, else {@code C / jobs}) and a heap
 * {@code H} per trial, {@code jobs = min(trials, C / T, 0.8 * RAM / H)}, at least 1.
 */
public final class ExecutorOptions {
    @Option(names = "--executor", paramLabel = "local|slurm", description = "Where trials run: local (default: child "
            + "processes of this command, as many at once as the cores allow) or slurm (one job array, one trial per "
            + "task; the output folder must be on a filesystem the compute nodes share).")
    String executor = "local";

    @Option(names = "--jobs", description = "local: trials at once (default: as many as the cores and memory allow).")
    Integer jobs;

    @Option(names = "--threads", description = "PyTorch threads per trial (default: local: cores / jobs; slurm: "
            + "--cpus-per-task).")
    Integer threads;

    @Option(names = "--trial-heap", description = "Java heap of each trial process, e.g. 4g (default: this JVM's "
            + "maximum; slurm: 80%% of --mem when given).")
    String trialHeap;

    @Option(names = "--partition", description = "slurm: the partition (default: the cluster's default).")
    String partition;

    @Option(names = "--time", description = "slurm: time limit per trial, e.g. 2:00:00 (default: the partition's).")
    String time;

    @Option(names = "--mem", description = "slurm: memory per trial, e.g. 8G (default: the partition's).")
    String memory;

    @Option(names = "--cpus-per-task", description = "slurm: CPUs per trial, also its PyTorch threads (default: 1).")
    int cpusPerTask = 1;

    @Option(names = "--gpus-per-task", description = "slurm: GPUs per trial, requested as --gres=gpu:N (default: 0).")
    int gpusPerTask;

    @Option(names = "--max-running", description = "slurm: array throttle %%N, trials running at once (default: no "
            + "limit).")
    int maxRunning;

    @Option(names = "--sbatch-arg", paramLabel = "FLAG", description = "slurm: an extra sbatch flag, passed as given, "
            + "e.g. --sbatch-arg=--account=lab (repeatable).")
    List<String> sbatchArgs = new ArrayList<>();

    /** @return true if the trials run on Slurm */
    public boolean slurm() {
        return executor.equals("slurm");
    }

    /**
     * Checks the options against each other (before anything is written).
     *
     * @throws MlxException (user error) for an unknown executor, a bad number or an option of the
     *     other executor
     */
    public void validate() {
        if (!executor.equals("local") && !executor.equals("slurm")) {
            throw MlxException.userError("--executor " + executor + " is unknown; use local or slurm");
        }
        if (jobs != null && jobs < 1 || threads != null && threads < 1) {
            throw MlxException.userError("--jobs and --threads must be >= 1");
        }
        if (trialHeap != null && parseSize(trialHeap) <= 0) {
            throw MlxException.userError("--trial-heap " + trialHeap + " is not a Java heap size such as 512m or 4g");
        }
        if (slurm()) {
            if (jobs != null) {
                throw MlxException.userError("--jobs is for --executor local; with slurm use --max-running");
            }
            if (cpusPerTask < 1 || gpusPerTask < 0 || maxRunning < 0) {
                throw MlxException.userError("--cpus-per-task must be >= 1, --gpus-per-task and --max-running >= 0");
            }
        } else {
            List<String> given = new ArrayList<>();
            if (partition != null) {
                given.add("--partition");
            }
            if (time != null) {
                given.add("--time");
            }
            if (memory != null) {
                given.add("--mem");
            }
            if (cpusPerTask != 1) {
                given.add("--cpus-per-task");
            }
            if (gpusPerTask != 0) {
                given.add("--gpus-per-task");
            }
            if (maxRunning != 0) {
                given.add("--max-running");
            }
            if (!sbatchArgs.isEmpty()) {
                given.add("--sbatch-arg");
            }
            if (!given.isEmpty()) {
                throw MlxException.userError(String.join(", ", given) + " only apply with --executor slurm");
            }
        }
    }

    /**
     * @param folder the sweep's or ablation's folder (the Slurm executor's files go in it)
     * @param trials trials to run in this batch
     * @param pluginsDir the plugins folder trials load
     * @param cacheDir the dataset cache trials use
     * @param device the {@code --device} trials get
     * @param err where to report
     * @return the executor these options describe
     */
    public TrialExecutor executor(Path folder, int trials, Path pluginsDir, Path cacheDir, String device,
            PrintStream err) {
        validate();
        long maxHeap = Runtime.getRuntime().maxMemory();
        if (slurm()) {
            String heap = trialHeap != null ? trialHeap : memory != null ? eightyPercent(memory) : mib(maxHeap);
            TrialProcess p = TrialProcess.ofCurrentJvm(heap, threads != null ? threads : cpusPerTask, pluginsDir,
                    cacheDir, device);
            return new SlurmExecutor(p, new SlurmOptions(partition, time, memory, cpusPerTask, gpusPerTask, maxRunning,
                    sbatchArgs), folder, err, 1000);
        }
        int cores = Runtime.getRuntime().availableProcessors();
        String heap = trialHeap != null ? trialHeap : mib(maxHeap);
        int n;
        int t;
        if (jobs != null) {
            n = jobs;
            t = threads != null ? threads : Math.max(1, cores / n);
        } else {
            t = threads != null ? threads : 1;
            long physical = physicalMemory();
            long heapBytes = parseSize(heap);
            int byMemory = physical > 0 && heapBytes > 0 ? (int) Math.max(1, (long) (0.8 * physical) / heapBytes)
                    : cores;
            n = Math.max(1, Math.min(Math.max(1, trials), Math.min(Math.max(1, cores / t), byMemory)));
        }
        if ((long) n * t > cores) {
            err.printf(Locale.ROOT, "warning: %d trials at once x %d threads each oversubscribe the %d cores; "
                    + "expect them to slow each other down%n", n, t, cores);
        }
        return new LocalExecutor(TrialProcess.ofCurrentJvm(heap, t, pluginsDir, cacheDir, device), n);
    }

    private static String mib(long bytes) {
        return Math.max(256, bytes / (1024 * 1024)) + "m";
    }

    private static String eightyPercent(String slurmMemory) {
        long bytes = parseSize(slurmMemory.endsWith("B") ? slurmMemory.substring(0, slurmMemory.length() - 1)
                : slurmMemory.matches("\\d+") ? slurmMemory + "m" : slurmMemory);
        if (bytes <= 0) {
            throw MlxException.userError("--mem " + slurmMemory + " is not a size such as 8G or 16000M");
        }
        return mib((long) (0.8 * bytes));
    }

    /** @return a JVM or Slurm size (512m, 4g, 8G) in bytes, or -1 if it is not one */
    static long parseSize(String size) {
        String s = size.strip().toLowerCase(Locale.ROOT);
        if (s.isEmpty()) {
            return -1;
        }
        long unit = switch (s.charAt(s.length() - 1)) {
            case 'k' -> 1L << 10;
            case 'm' -> 1L << 20;
            case 'g' -> 1L << 30;
            case 't' -> 1L << 40;
            default -> 1;
        };
        String digits = unit == 1 ? s : s.substring(0, s.length() - 1);
        try {
            return Long.parseLong(digits) * unit;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static long physicalMemory() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getTotalMemorySize();
        }
        return -1;
    }
}
