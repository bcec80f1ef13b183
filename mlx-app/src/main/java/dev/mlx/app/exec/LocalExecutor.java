package dev.mlx.app.exec;

import dev.mlx.api.error.ErrorKind;
import dev.mlx.api.error.MlxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Runs trials as child processes of this JVM, {@code jobs} at a time, each with
 * {@link TrialProcess#threads()} PyTorch threads. When this JVM ends early (Ctrl-C), a shutdown hook
 * stops the children still running, so no trial outlives the command that started it; their
 * folders stay incomplete and a resume runs them again.
 */
public final class LocalExecutor implements TrialExecutor {
    private final TrialProcess process;
    private final int jobs;

    /**
     * @param process the trial command
     * @param jobs trials at once (at least 1)
     */
    public LocalExecutor(TrialProcess process, int jobs) {
        if (jobs < 1) {
            throw new IllegalArgumentException("jobs must be >= 1: " + jobs);
        }
        this.process = process;
        this.jobs = jobs;
    }

    @Override
    public void check() {
        // the JVM and class path are this one's
    }

    @Override
    public int parallelism() {
        return jobs;
    }

    @Override
    public String describe() {
        return String.format(Locale.ROOT, "local: %d trial process%s at once, %d PyTorch thread%s and -Xmx%s each",
                jobs, jobs == 1 ? "" : "es", process.threads(), process.threads() == 1 ? "" : "s", process.heap());
    }

    @Override
    public void runAll(List<Path> trialDirs, TrialListener listener) {
        Set<Process> live = ConcurrentHashMap.newKeySet();
        Thread stopper = new Thread(() -> live.forEach(Process::destroy), "mlx-stop-trial-processes");
        Runtime.getRuntime().addShutdownHook(stopper);
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(jobs, trialDirs.size())));
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (Path dir : trialDirs) {
                futures.add(pool.submit(() -> runOne(dir, listener, live)));
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
            live.forEach(Process::destroy);
            try {
                Runtime.getRuntime().removeShutdownHook(stopper);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running: it stops the children
            }
        }
    }

    private void runOne(Path dir, TrialListener listener, Set<Process> live) {
        long t0 = System.nanoTime();
        Process p = process.start(dir);
        live.add(p);
        listener.started(dir);
        int code;
        try {
            code = p.waitFor();
        } catch (InterruptedException e) {
            p.destroy();
            Thread.currentThread().interrupt();
            throw new MlxException(ErrorKind.RESOURCES, "interrupted while trial " + dir.getFileName()
                    + " was running; run the same command again to resume", e);
        } finally {
            live.remove(p);
        }
        listener.ended(dir, new TrialEnd(code, (System.nanoTime() - t0) / 1e9, Optional.empty(), ""));
    }
}
