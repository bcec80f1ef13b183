package dev.mlx.app.ablate;

import dev.mlx.api.error.ErrorKind;
import dev.mlx.api.error.MlxException;
import dev.mlx.app.exec.TrialEnd;
import dev.mlx.app.exec.TrialExecutor;
import dev.mlx.app.exec.TrialListener;
import dev.mlx.app.exec.TrialProcess;
import dev.mlx.app.exec.TrialProgress;
import dev.mlx.app.report.AtomicFiles;
import dev.mlx.app.run.RunFolder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

/**
 * Runs a batch of trials (an ablation's grid, a sweep's settings x seeds) with resume: each trial
 * lives in {@code <out>/trials/<id>/}. A trial whose {@code result.json} holds exactly this trial is
 * complete and is skipped; a trial folder without one (a killed or failed trial) continues from its
 * training checkpoint when it holds the same trial, and is otherwise deleted and run again. The
 * pending trials go to one {@link TrialExecutor} (local processes or a Slurm array), which does not
 * know what they are; their results are read back from disk.
 */
public final class TrialScheduler {
    private final Path out;
    private final String label;
    private final PrintStream err;

    /**
     * The outcome of the trials.
     *
     * @param results the complete trials, in plan order
     * @param skipped how many were complete before this run
     * @param failures one line per failed trial
     * @param worstExit the most severe child exit code (0 if none failed)
     */
    public record Outcome(List<TrialResult> results, int skipped, List<String> failures, int worstExit) {}

    /**
     * @param out the folder holding {@code trials/}
     * @param label the prefix of progress lines, e.g. {@code "mlx sweep"}
     * @param err where progress goes
     */
    public TrialScheduler(Path out, String label, PrintStream err) {
        this.out = out;
        this.label = label;
        this.err = err;
    }

    /**
     * @param t a trial
     * @return its folder
     */
    public Path folder(Trial t) {
        return out.resolve("trials").resolve(t.id());
    }

    /**
     * @param trial a planned trial
     * @return its result if its folder holds a complete result of exactly this trial
     */
    public Optional<TrialResult> complete(Trial trial) {
        Path file = folder(trial).resolve(TrialRunner.RESULT_FILE);
        try {
            java.nio.file.attribute.FileTime modified = Files.getLastModifiedTime(file);
            Parsed cached = parsed.get(file);
            TrialResult r;
            if (cached != null && cached.modified().equals(modified)) {
                r = cached.result();
            } else {
                r = TrialRunner.JSON.readValue(file.toFile(), TrialResult.class);
                parsed.put(file, new Parsed(modified, r));
            }
            return r.trial().equals(trial) ? Optional.of(r) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** A result file parsed once: {@link #complete} is asked for the same trials several times in one sweep. */
    private record Parsed(java.nio.file.attribute.FileTime modified, TrialResult result) {}

    private final Map<Path, Parsed> parsed = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * Finds, for every planned trial that is not complete here, a finished trial in {@code sources}
     * that trained exactly the same run: the same dataset, model, regularizer and their parameters,
     * training settings, seed and training-set transform (the id and coordinates, which only name
     * the trial inside its own sweep, may differ). Reads only.
     *
     * @param trials the planned trials
     * @param sources folders searched for {@code trials/<id>/result.json} (earlier sweeps, kept results)
     * @return the matches, in plan order: planned trial to the finished result's file
     */
    public Map<Trial, Path> reusable(List<Trial> trials, List<Path> sources) {
        return reusable(trials, sources, UnaryOperator.identity());
    }

    /**
     * As {@link #reusable(List, List)}, with both sides completed by {@code withDefaults} first (for
     * instance every parameter a plugin declares, at its default where the trial does not name it), so
     * that a parameter left to its default and the same value written out are the same run.
     *
     * @param trials the planned trials
     * @param sources folders searched for {@code trials/<id>/result.json}
     * @param withDefaults completes a trial's parameter maps; a trial it cannot complete (an unknown plugin)
     *     is compared as written
     * @return the matches, in plan order
     */
    public Map<Trial, Path> reusable(List<Trial> trials, List<Path> sources, UnaryOperator<Trial> withDefaults) {
        Map<Trial, Path> finished = new HashMap<>();
        for (Path source : sources) {
            if (!Files.isDirectory(source)) {
                throw MlxException.userError("--reuse " + source + ": no such folder; give a folder holding earlier"
                        + " sweeps (their trials/<id>/result.json files)");
            }
            try (var files = Files.walk(source, 8)) {
                files.filter(f -> f.getFileName().toString().equals(TrialRunner.RESULT_FILE)
                        && f.getParent().getParent() != null
                        && f.getParent().getParent().getFileName().toString().equals("trials")).sorted()
                        .forEach(f -> {
                            try {
                                TrialResult r = TrialRunner.JSON.readValue(f.toFile(), TrialResult.class);
                                finished.putIfAbsent(runOf(completed(r.trial(), withDefaults)), f);
                            } catch (IOException e) {
                                // not a trial result: ignored
                            }
                        });
            } catch (IOException e) {
                throw MlxException.userError("--reuse " + source + ": cannot read it (" + e.getMessage() + ")", e);
            }
        }
        Map<Trial, Path> matches = new LinkedHashMap<>();
        for (Trial t : trials) {
            Path f = finished.get(runOf(completed(t, withDefaults)));
            if (f != null && complete(t).isEmpty()) {
                matches.put(t, f);
            }
        }
        return matches;
    }

    /**
     * Takes over the results found by {@link #reusable}: each becomes this sweep's result of the
     * planned trial (its {@code trial.json}, its {@code result.json} naming the planned trial, and
     * {@code reused-from.txt} with the source file).
     *
     * @param matches planned trial to the finished result's file
     */
    public void adopt(Map<Trial, Path> matches) {
        matches.forEach((trial, file) -> {
            TrialResult r = TrialRunner.read(file, TrialResult.class);
            Path dir = folder(trial);
            try {
                if (Files.exists(dir)) {
                    RunFolder.deleteTree(dir);
                }
                Files.createDirectories(dir);
                AtomicFiles.writeString(dir.resolve("reused-from.txt"), file.toAbsolutePath() + "\n");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            TrialRunner.writeAtomically(dir.resolve(TrialRunner.TRIAL_FILE), trial);
            TrialRunner.writeAtomically(dir.resolve(TrialRunner.RESULT_FILE), new TrialResult(trial, r.groupCorrect(),
                    r.groupCount(), r.trainSize(), r.testSize(), r.wallSeconds(), r.secondsPerEpoch(), r.fragility(),
                    r.validationCorrect(), r.validationCount()));
        });
    }

    /**
     * The run a trial trains, without its id and coordinates, with numbers in parameter maps written
     * one way ({@code 5}, {@code 5.0} and {@code 5e0} are the same setting).
     */
    private static Trial completed(Trial t, UnaryOperator<Trial> withDefaults) {
        try {
            return withDefaults.apply(t);
        } catch (RuntimeException unknownPlugin) {
            return t;
        }
    }

    static Trial runOf(Trial t) {
        return new Trial("", Map.of(), t.dataset(), numbers(t.datasetParams()), t.model(), numbers(t.modelParams()),
                t.regularizer(), numbers(t.regularizerParams()), t.epochs(), t.batchSize(), t.learningRate(),
                t.weightDecay(), t.seed(), t.transform());
    }

    private static Map<String, String> numbers(Map<String, String> params) {
        Map<String, String> out = new HashMap<>();
        params.forEach((k, v) -> {
            String canonical = v;
            try {
                canonical = new java.math.BigDecimal(v.strip()).stripTrailingZeros().toPlainString();
            } catch (NumberFormatException notANumber) {
                // kept as written
            }
            out.put(k, canonical);
        });
        return out;
    }

    /**
     * @param trials the planned trials
     * @return the trials that are not complete yet, in plan order
     */
    public List<Trial> pending(List<Trial> trials) {
        return trials.stream().filter(t -> complete(t).isEmpty()).toList();
    }

    /**
     * Runs every incomplete trial on the executor and collects all results.
     *
     * @param trials the planned trials
     * @param executor where the incomplete ones run
     * @return the results and failures
     */
    public Outcome run(List<Trial> trials, TrialExecutor executor) {
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
        err.printf(Locale.ROOT, "%s: %d trials, %d complete, %d to run on %s%n", label, trials.size(), skipped,
                pending.size(), executor.describe());
        Map<Path, Trial> byFolder = new LinkedHashMap<>();
        for (Trial t : pending) {
            byFolder.put(prepare(t), t);
        }
        if (!pending.isEmpty()) {
            TrialProgress progress = new TrialProgress(label, pending.size(), executor.parallelism(), err);
            AtomicInteger finished = new AtomicInteger();
            executor.runAll(List.copyOf(byFolder.keySet()), new TrialListener() {
                @Override
                public void started(Path dir) {
                    progress.started();
                }

                @Override
                public void ended(Path dir, TrialEnd end) {
                    Trial t = byFolder.get(dir);
                    Optional<TrialResult> r = complete(t);
                    int n = finished.incrementAndGet();
                    if (end.exitCode() == 0 && r.isPresent()) {
                        results.add(r.get());
                        err.printf(Locale.ROOT, "%s: [%d/%d] %s: Wg Acc %.4f, Avg Acc %.4f (%.0f s)%n", label, n,
                                pending.size(), t.id(), r.get().test().worstGroupAccuracy(),
                                r.get().test().averageGroupAccuracy(), end.seconds());
                    } else {
                        int exit = end.exitCode() == 0 ? 4 : end.exitCode() == TrialEnd.LOST ? 3 : end.exitCode();
                        worst.accumulateAndGet(exit, Math::max);
                        String why = end.note().isEmpty()
                                ? lastError(dir.resolve(TrialProcess.LOG_FILE))
                                        + end.executorLog().map(l -> "; executor log: " + l).orElse("")
                                : end.note() + "; trial log: " + dir.resolve(TrialProcess.LOG_FILE);
                        String line = t.id() + " (exit " + (end.exitCode() == TrialEnd.LOST ? "none" : end.exitCode())
                                + "): " + why;
                        failures.add(line);
                        err.printf(Locale.ROOT, "%s: [%d/%d] FAILED %s%n", label, n, pending.size(), line);
                    }
                    progress.ended(end.exitCode() == 0 && r.isPresent(), end.seconds());
                }
            });
        }
        List<TrialResult> ordered = new ArrayList<>();
        for (Trial t : trials) {
            results.stream().filter(r -> r.trial().id().equals(t.id())).findFirst().ifPresent(ordered::add);
        }
        List<String> failed = new ArrayList<>(failures);
        Collections.sort(failed);
        return new Outcome(ordered, skipped, List.copyOf(failed), worst.get());
    }

    /** Makes the trial's folder ready to run: continued from its checkpoint, or fresh; writes its definition. */
    private Path prepare(Trial t) {
        Path dir = folder(t);
        try {
            if (Files.exists(dir)) {
                if (TrialRunner.resumable(dir, t)) {
                    err.println(label + ": continuing incomplete trial " + t.id() + " from its checkpoint");
                } else {
                    err.println(label + ": re-running incomplete trial " + t.id());
                    RunFolder.deleteTree(dir);
                }
            }
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new MlxException(ErrorKind.RESOURCES, "cannot prepare the trial folder " + dir + ": "
                    + e.getMessage(), e);
        }
        TrialRunner.writeAtomically(dir.resolve(TrialRunner.TRIAL_FILE), t);
        return dir;
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
