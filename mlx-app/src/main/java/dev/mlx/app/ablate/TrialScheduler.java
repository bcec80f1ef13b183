package dev.mlx.app.ablate;

import dev.mlx.api.error.ErrorKind;
import dev.mlx.api.error.MlxException;
import dev.mlx.app.run.RunFolder;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs an ablation's trials with resume: each trial lives in {@code <out>/trials/<id>/}. A trial
 * whose {@code result.json} holds exactly this trial is complete and is skipped; a trial folder
 * without one (a killed or failed trial) or with a result of a different definition is deleted
 * and the trial runs again. Up to {@code jobs} trials run at once, each its own process
 * ({@link TrialProcess}).
 */
final class TrialScheduler {
    private final Path out;
    private final TrialProcess process;
    private final int jobs;
    private final PrintStream err;

    /**
     * The outcome of the trials.
     *
     * @param results the complete trials, in plan order
     * @param skipped how many were complete before this run
     * @param failures one line per failed trial
     * @param worstExit the most severe child exit code (0 if none failed)
     */
    record Outcome(List<TrialResult> results, int skipped, List<String> failures, int worstExit) {}

    TrialScheduler(Path out, TrialProcess process, int jobs, PrintStream err) {
        this.out = out;
        this.process = process;
        this.jobs = jobs;
        this.err = err;
    }

    /** @return the folder of a trial */
    Path folder(Trial t) {
        return out.resolve("trials").resolve(t.id());
    }

    /**
     * @param trial a planned trial
     * @return its result if its folder holds a complete result of exactly this trial
     */
    Optional<TrialResult> complete(Trial trial) {
        Path file = folder(trial).resolve(TrialRunner.RESULT_FILE);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            TrialResult r = TrialRunner.JSON.readValue(file.toFile(), TrialResult.class);
            return r.trial().equals(trial) ? Optional.of(r) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    Outcome run(List<Trial> trials) {
        List<TrialResult> results = Collections.synchronizedList(new ArrayList<>());
        List<String> failures = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger worst = new AtomicInteger();
        List<Trial> pending = new ArrayList<>();
        int skipped = 0;
        for (Trial t : trials) {
            Optional<TrialResult> done = complete(t);
            if (done.isPresent()) {
                results.add(done.get());
                skipped++;
            } else {
                pending.add(t);
            }
        }
        err.printf(Locale.ROOT, "mlx ablate: %d trials, %d complete, %d to run, %d at a time%n", trials.size(), skipped,
                pending.size(), jobs);
        AtomicInteger finished = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(jobs, Math.max(1, pending.size()))));
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (Trial t : pending) {
                futures.add(pool.submit(() -> runOne(t, pending.size(), finished, results, failures, worst)));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MlxException(ErrorKind.RESOURCES, "interrupted; run the same command again to resume", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        } finally {
            pool.shutdownNow();
        }
        List<TrialResult> ordered = new ArrayList<>();
        for (Trial t : trials) {
            results.stream().filter(r -> r.trial().id().equals(t.id())).findFirst().ifPresent(ordered::add);
        }
        return new Outcome(ordered, skipped, List.copyOf(failures), worst.get());
    }

    private void runOne(Trial t, int total, AtomicInteger finished, List<TrialResult> results, List<String> failures,
            AtomicInteger worst) {
        Path dir = folder(t);
        try {
            if (Files.exists(dir)) {
                if (TrialRunner.resumable(dir, t)) {
                    err.println("mlx ablate: continuing incomplete trial " + t.id() + " from its checkpoint");
                } else {
                    err.println("mlx ablate: re-running incomplete trial " + t.id());
                    RunFolder.deleteTree(dir);
                }
            }
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        TrialRunner.writeAtomically(dir.resolve(TrialRunner.TRIAL_FILE), t);
        long t0 = System.nanoTime();
        int code = process.run(dir);
        double seconds = (System.nanoTime() - t0) / 1e9;
        Optional<TrialResult> r = complete(t);
        int n = finished.incrementAndGet();
        if (code == 0 && r.isPresent()) {
            results.add(r.get());
            err.printf(Locale.ROOT, "mlx ablate: [%d/%d] %s: Wg Acc %.4f, Avg Acc %.4f (%.0f s)%n", n, total, t.id(),
                    r.get().test().worstGroupAccuracy(), r.get().test().averageGroupAccuracy(), seconds);
        } else {
            int exit = code == 0 ? 4 : code;
            worst.accumulateAndGet(exit, Math::max);
            String line = t.id() + " (exit " + code + "): " + lastError(dir.resolve(TrialProcess.LOG_FILE));
            failures.add(line);
            err.printf(Locale.ROOT, "mlx ablate: [%d/%d] FAILED %s%n", n, total, line);
        }
    }

    /**
     * @return the trial log's last {@code mlx: ... error} line, else its first command-line error
     *     (picocli's "Unknown option", "Expected parameter", "Missing required"), else its last line,
     *     with the log's path
     */
    static String lastError(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            String pick = "";
            for (String l : lines) {
                if (l.startsWith("mlx: error:") || l.startsWith("mlx: internal error:")) {
                    pick = l;
                }
            }
            for (int i = 0; pick.isEmpty() && i < lines.size(); i++) {
                String l = lines.get(i);
                if (l.startsWith("Unknown option") || l.startsWith("Expected parameter")
                        || l.startsWith("Missing required") || l.startsWith("Error: ")) {
                    pick = l;
                }
            }
            if (pick.isEmpty() && !lines.isEmpty()) {
                pick = lines.get(lines.size() - 1);
            }
            return pick + " (log: " + log + ")";
        } catch (IOException e) {
            return "no log at " + log;
        }
    }
}
