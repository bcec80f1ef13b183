package dev.mlx.app.sweep;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.mlx.app.ablate.TrialResult;
import dev.mlx.app.ablate.TrialRunner;
import dev.mlx.app.exec.SlurmExecutor;
import dev.mlx.app.testing.CliRun;
import dev.mlx.app.testing.TinyDermaNpz;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mlx sweep --executor slurm} against a real Slurm: the single-node cluster that
 * {@code .ci/slurm-local} starts on this machine ({@code run-tests} and {@code .ci/run} start it and
 * set {@code MLX_TEST_SLURM=required}, so there this test cannot be skipped; elsewhere it runs when
 * a controller answers and is skipped, saying so, when none does).
 *
 * <p>A small real sweep (2 methods x 2 seeds, 1,000 images, 1 epoch) gives the same results on Slurm
 * as on the local executor, to the digit; a task that Slurm cancels is reported failed with its
 * Slurm log, and {@code --resume} runs only it; stopping the sweep (SIGTERM or Ctrl-C) cancels its array.
 */
class SlurmSweepTest {
    @TempDir
    static Path tmp;

    private static Path sweepFile;

    @BeforeAll
    static void requireSlurm() throws Exception {
        boolean up;
        try {
            Process p = new ProcessBuilder("scontrol", "ping").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            up = p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0 && out.contains("UP");
        } catch (IOException e) {
            up = false;
        }
        if (!up) {
            if ("required".equals(System.getenv("MLX_TEST_SLURM"))) {
                fail("MLX_TEST_SLURM=required but no Slurm controller answers scontrol ping; .ci/slurm-local start "
                        + "should have started one");
            }
            Assumptions.abort("no Slurm controller answers (start one with .ci/slurm-local start)");
        }
        Path data = Files.createDirectories(tmp.resolve("derm"));
        TinyDermaNpz.write(data, 1000, 16, 1);
        sweepFile = tmp.resolve("two-by-two.yaml");
        Files.writeString(sweepFile, String.join("\n",
                "dataset: decoy-derm",
                "datasetParams: {dir: " + data + "}",
                "model: mlp",
                "modelParams: {hidden: 8}",
                "seeds: [0, 1]",
                "training: {epochs: 1, batch-size: 100}",
                "methods:",
                "  erm: {}",
                "  rrr: {lambda: 10}",
                ""));
    }

    private static CliRun sweep(Path out, String... extra) {
        List<String> args = new ArrayList<>(List.of("--cache-dir", tmp.resolve("cache").toString(), "--plugins-dir",
                tmp.resolve("none").toString(), "sweep", sweepFile.toString(), "-o", out.toString(), "--threads", "1",
                "--trial-heap", "512m"));
        args.addAll(List.of(extra));
        return CliRun.of(args.toArray(String[]::new));
    }

    private static List<TrialResult> results(Path sweep) throws IOException {
        try (Stream<Path> trials = Files.list(sweep.resolve("trials"))) {
            List<TrialResult> out = new ArrayList<>();
            for (Path t : trials.sorted().toList()) {
                out.add(TrialRunner.JSON.readValue(t.resolve(TrialRunner.RESULT_FILE).toFile(), TrialResult.class));
            }
            return out;
        }
    }

    @Test
    void theSameSweepOnSlurmAndLocallyGivesTheSameResultsToTheDigit() throws IOException {
        Path onSlurm = tmp.resolve("slurm");
        CliRun slurm = sweep(onSlurm, "--executor", "slurm", "--max-running", "2");
        assertEquals(0, slurm.exitCode(), slurm::toString);
        assertTrue(slurm.err().contains("slurm: submitted job array"), slurm.err());
        Path local = tmp.resolve("local");
        CliRun here = sweep(local, "--executor", "local");
        assertEquals(0, here.exitCode(), here::toString);

        List<TrialResult> a = results(onSlurm);
        List<TrialResult> b = results(local);
        assertEquals(4, a.size());
        for (int i = 0; i < a.size(); i++) {
            assertEquals(b.get(i).trial(), a.get(i).trial());
            assertArrayEquals(b.get(i).groupCorrect(), a.get(i).groupCorrect(), a.get(i).trial().id());
            assertArrayEquals(b.get(i).validationCorrect(), a.get(i).validationCorrect(), a.get(i).trial().id());
        }
        String where = "\\s*\"(executor|command|sweepFile|wallSeconds|date)\".*";
        assertEquals(Files.readString(local.resolve("sweep.json")).replaceAll(where, ""),
                Files.readString(onSlurm.resolve("sweep.json")).replaceAll(where, ""),
                "sweep.json is the same but for the executor, the command, the date and the trials' wall times");
        String jobId = Files.readString(onSlurm.resolve("slurm").resolve(SlurmExecutor.JOB_FILE)).strip();
        for (int task = 0; task < 4; task++) {
            assertTrue(Files.isRegularFile(onSlurm.resolve("slurm").resolve(jobId + "_" + task + ".out")),
                    "Slurm's log of task " + task);
        }
    }

    @Test
    void aTaskSlurmCancelsIsReportedWithItsLogAndResumeRunsOnlyIt() throws Exception {
        Path out = tmp.resolve("cancelled");
        // one task at a time: cancel the last while it still waits in the queue
        CompletableFuture<CliRun> run = CompletableFuture.supplyAsync(() -> sweep(out, "--executor", "slurm",
                "--max-running", "1"));
        Path jobFile = out.resolve("slurm").resolve(SlurmExecutor.JOB_FILE);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Files.isRegularFile(jobFile) && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        String jobId = Files.readString(jobFile).strip();
        Process scancel = new ProcessBuilder("scancel", jobId + "_3").inheritIO().start();
        assertEquals(0, scancel.waitFor());
        CliRun r = run.get(5, TimeUnit.MINUTES);
        assertEquals(3, r.exitCode(), r::toString);
        String error = r.singleError();
        assertTrue(error.contains("1 trial(s) failed: method=rrr_lambda=10_seed=1 (exit none)"), error);
        assertTrue(error.contains("Slurm task " + jobId + "_3 ended without the trial reporting an exit code"), error);
        assertTrue(error.contains("slurm/" + jobId + "_3.out (not written: the task never started)"),
                "names Slurm's log: " + error);

        CliRun resumed = sweep(out, "--executor", "slurm", "--resume");
        assertEquals(0, resumed.exitCode(), resumed::toString);
        assertTrue(resumed.err().contains("4 trials, 3 complete, 1 to run"), resumed.err());
        assertTrue(resumed.out().contains("4 of 4 trials complete (3 from an earlier run)"), resumed.out());
    }

    @Test
    void stoppingTheSweepCancelsItsJobArray() throws Exception {
        Path out = tmp.resolve("stopped");
        String java = ProcessHandle.current().info().command().orElseThrow();
        Process sweep = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), "dev.mlx.app.Main",
                "--cache-dir=" + tmp.resolve("cache"), "--plugins-dir=" + tmp.resolve("none"), "sweep",
                sweepFile.toString(), "-o", out.toString(), "--threads", "1", "--trial-heap", "512m", "--executor",
                "slurm", "--max-running", "1").redirectErrorStream(true)
                .redirectOutput(tmp.resolve("stopped.log").toFile()).start();
        Path jobFile = out.resolve("slurm").resolve(SlurmExecutor.JOB_FILE);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Files.isRegularFile(jobFile) && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        String jobId = Files.readString(jobFile).strip();
        sweep.destroy(); // SIGTERM, as Ctrl-C's SIGINT: the JVM's shutdown hooks run
        assertTrue(sweep.waitFor(60, TimeUnit.SECONDS), "the sweep ends");
        String left = "";
        for (long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30); System.nanoTime() < end;) {
            Process q = new ProcessBuilder("squeue", "-h", "-r", "-j", jobId).redirectErrorStream(true).start();
            left = new String(q.getInputStream().readAllBytes()).strip();
            q.waitFor();
            if (left.isEmpty() || left.contains("Invalid job id")) {
                left = "";
                break;
            }
            Thread.sleep(500);
        }
        assertEquals("", left, "no task of job " + jobId + " is left in the queue");
        long finished;
        try (Stream<Path> trials = Files.list(out.resolve("trials"))) {
            finished = trials.filter(t -> Files.isRegularFile(t.resolve(TrialRunner.RESULT_FILE))).count();
        }
        assertTrue(finished < 4, "the array was cancelled before its 4 trials ran; " + finished + " finished");
    }
}
