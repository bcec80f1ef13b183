package dev.mlx.app.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mlx.api.error.MlxException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The executor options: defaults that do not oversubscribe, the sbatch flags, and wrong combinations. */
class ExecutorOptionsTest {
    private static ExecutorOptions parse(String... args) {
        ExecutorOptions o = new ExecutorOptions();
        new CommandLine(o).parseArgs(args);
        return o;
    }

    private static TrialExecutor executor(ExecutorOptions o, int trials, ByteArrayOutputStream err) {
        return o.executor(Path.of("/tmp/sweep"), trials, null, null, "auto",
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void localDefaultsRunOneSingleThreadedTrialPerCoreAtMost() {
        int cores = Runtime.getRuntime().availableProcessors();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        TrialExecutor one = executor(parse("--trial-heap", "256m"), 1, err);
        assertEquals(1, one.parallelism(), "never more processes than trials");
        TrialExecutor many = executor(parse("--trial-heap", "256m"), 100, err);
        assertTrue(many.parallelism() >= 1 && many.parallelism() <= cores, many.describe());
        assertTrue(many.describe().contains("1 PyTorch thread and -Xmx256m each"), many.describe());
        assertEquals("", err.toString(StandardCharsets.UTF_8), "no oversubscription warning by default");

        TrialExecutor two = executor(parse("--jobs", "2", "--trial-heap", "256m"), 10, err);
        assertEquals(2, two.parallelism());
        TrialExecutor over = executor(parse("--jobs", String.valueOf(cores), "--threads", "2", "--trial-heap", "256m"),
                10, err);
        assertEquals(cores, over.parallelism());
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("oversubscribe"), err.toString());
    }

    @Test
    void slurmFlagsAreTheArrayThrottleAndTheResources() {
        SlurmOptions s = new SlurmOptions("gpu", "2:00:00", "8G", 4, 1, 3, List.of("--account=lab"));
        assertEquals(List.of("--array=0-9%3", "--cpus-per-task=4", "--partition=gpu", "--time=2:00:00", "--mem=8G",
                "--gres=gpu:1", "--account=lab"), s.sbatchFlags(10));
        assertEquals(List.of("--array=0-0", "--cpus-per-task=1"),
                new SlurmOptions(null, null, null, 1, 0, 0, List.of()).sbatchFlags(1));
        TrialExecutor slurm = executor(parse("--executor", "slurm", "--mem", "10G", "--cpus-per-task", "2"), 5,
                new ByteArrayOutputStream());
        assertTrue(slurm.describe().contains("-Xmx8192m per trial"), "80 % of --mem: " + slurm.describe());
    }

    @Test
    void wrongCombinationsAreUserErrors() {
        assertTrue(assertThrows(MlxException.class, () -> parse("--executor", "k8s").validate()).getMessage()
                .contains("local or slurm"));
        assertTrue(assertThrows(MlxException.class, () -> parse("--mem", "4G").validate()).getMessage()
                .contains("--mem only apply with --executor slurm"));
        assertTrue(assertThrows(MlxException.class, () -> parse("--executor", "slurm", "--jobs", "2").validate())
                .getMessage().contains("--max-running"));
        assertTrue(assertThrows(MlxException.class, () -> parse("--trial-heap", "lots").validate()).getMessage()
                .contains("512m or 4g"));
        assertEquals(4L << 30, ExecutorOptions.parseSize("4g"));
        assertEquals(512L << 20, ExecutorOptions.parseSize("512M"));
        assertEquals(-1, ExecutorOptions.parseSize("x"));
    }

    @Test
    void progressCountsAndEstimatesTheTimeLeft() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        TrialProgress p = new TrialProgress("mlx sweep", 4, 2, new PrintStream(out, true, StandardCharsets.UTF_8));
        p.started();
        p.started();
        assertEquals("0 done, 2 running, 2 queued, 0 failed of 4; ETA after the first trial ends", p.status());
        p.ended(true, 60);
        // mean 60 s x (2 queued + 0.5 x 1 running) / min(2 at once, 3 left) = 75 s
        assertEquals("1 done, 1 running, 2 queued, 0 failed of 4; ETA 75 s", p.status());
        p.started();
        p.ended(false, 120);
        p.started();
        p.ended(true, Double.NaN);
        p.ended(true, 30);
        assertEquals("3 done, 0 running, 0 queued, 1 failed of 4; finished", p.status());
        assertEquals(8, out.toString(StandardCharsets.UTF_8).lines().count(), "one line per start and per end");
        assertEquals("12 min", Durations.format(720));
        assertEquals("2.0 h", Durations.format(7200));
    }
}
