package dev.mlx.app.sweep;

import dev.mlx.api.error.ErrorKind;
import dev.mlx.api.error.MlxException;
import dev.mlx.api.param.ParameterSchema;
import dev.mlx.app.ablate.Trial;
import dev.mlx.app.ablate.TrialResult;
import dev.mlx.app.ablate.TrialScheduler;
import dev.mlx.app.command.AppSettings;
import dev.mlx.app.exec.ExecutorOptions;
import dev.mlx.app.exec.SlurmExecutor;
import dev.mlx.app.exec.TrialExecutor;
import dev.mlx.app.plugin.PluginCatalog;
import dev.mlx.app.report.AtomicFiles;
import dev.mlx.app.run.Restarts;
import dev.mlx.app.run.RestartsTable;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code mlx sweep FILE}: expands a sweep file into trials (method x setting x seed), runs them on
 * an executor, selects per method the setting with the best validation score and reports the
 * selected settings' test Avg/Wg Acc as mean ± std over seeds. State lives in the sweep folder
 * ({@code trials/<id>/} per trial), so finished trials are never run again and {@code --resume}
 * runs only what failed or did not finish.
 */
@Command(name = "sweep", description = {"Run a hyper-parameter sweep from a YAML or JSON file: every method x setting x "
        + "seed as its own trial process, the best setting per method chosen on the validation split, its test Avg "
        + "and Wg Acc reported as mean ± std over the seeds (sweep.md, sweep.json, sweep.csv, sweep.tex, "
        + "report.html, sweep.png, sweep.svg).",
    "Executors: local (default) runs trials as child processes of this command, as many at once as the cores "
        + "and memory allow (--jobs, --threads); slurm submits one job array (sbatch --array, one trial per task, "
        + "throttled with --max-running) with --partition, --time, --mem, --cpus-per-task, --gpus-per-task and "
        + "--sbatch-arg, follows it with squeue, and cancels it on Ctrl-C or with mlx sweep --cancel DIR. With "
        + "slurm the output folder must be on a filesystem the compute nodes share.",
    "Example files and the file format: docs/experiments.md."})
public final class SweepCommand implements Callable<Integer> {
    /** The sweep's definition as resolved, kept in the folder. */
    static final String PLAN_FILE = "plan.json";

    @Parameters(index = "0", arity = "0..1", paramLabel = "FILE", description = "The sweep file (.yaml, .yml or .json).")
    Path file;

    @Option(names = {"-o", "--out"}, description = "Sweep folder (default: runs/sweep-<file name>).")
    Path out;

    @Option(names = "--resume", description = "Continue the sweep in the folder: run only the trials that failed or "
            + "did not finish (finished ones are never run again).")
    boolean resume;

    @Option(names = "--reuse", paramLabel = "DIR", description = "Take over, instead of running them, the trials that"
            + " a finished trial under DIR (an earlier sweep or kept results, searched for trials/<id>/result.json)"
            + " trained with exactly the same run: dataset, model, method and their parameters (a default left out"
            + " equals it written out), training settings and seed. Repeatable.")
    List<Path> reuse = new java.util.ArrayList<>();

    @Option(names = "--cancel", paramLabel = "DIR", description = "Cancel the Slurm job array of the sweep in DIR "
            + "(scancel), and exit.")
    Path cancel;

    @Mixin
    ExecutorOptions executorOptions;

    @Spec
    CommandSpec commandSpec;

    private final PluginCatalog catalog;
    private final AppSettings settings;

    @Inject
    public SweepCommand(PluginCatalog catalog, AppSettings settings) {
        this.catalog = catalog;
        this.settings = settings;
    }

    @Override
    public Integer call() {
        if (cancel != null) {
            if (file != null) {
                throw MlxException.userError("--cancel DIR takes no sweep file; run mlx sweep --cancel " + cancel);
            }
            settings.out().println("mlx sweep: " + SlurmExecutor.cancel(cancel));
            return 0;
        }
        if (file == null) {
            throw MlxException.userError("give the sweep file: mlx sweep FILE (the format and an example are in "
                    + "docs/experiments.md)");
        }
        executorOptions.validate();
        SweepDefinition d = new SweepFileReader(catalog).read(file);
        List<SweepPlan.Cell> cells = SweepPlan.cells(d);
        List<Trial> trials = cells.stream().flatMap(c -> c.trials().stream()).toList();
        Path folder = out != null ? out : Path.of("runs", "sweep-" + stem(file));
        checkFolder(folder);
        TrialScheduler scheduler = new TrialScheduler(folder, "mlx sweep", settings.err());
        Map<Trial, Path> reused = scheduler.reusable(trials, reuse, t -> withPluginDefaults(catalog, t));
        int pending = (resume ? scheduler.pending(trials).size() : trials.size()) - reused.size();
        TrialExecutor executor = executorOptions.executor(folder, Math.max(0, pending), settings.pluginsDir(),
                settings.cacheDir(), settings.device().text(), settings.err());
        executor.check();
        prepare(folder, d);
        if (!reused.isEmpty()) {
            scheduler.adopt(reused);
            settings.err().printf(Locale.ROOT, "mlx sweep: %d of %d trials taken over from finished identical runs"
                    + " (--reuse)%n", reused.size(), trials.size());
        }
        long t0 = System.nanoTime();
        TrialScheduler.Outcome outcome = scheduler.run(trials, executor);
        Map<String, TrialResult> byId = new HashMap<>();
        outcome.results().forEach(r -> byId.put(r.trial().id(), r));
        List<MethodSelection> selections = MethodSelection.select(cells, byId, d.selection());
        String command = "mlx " + String.join(" ", commandSpec.commandLine().getParseResult().originalArgs());
        List<String> files = SweepReport.write(folder, d, selections, new SweepReport.Context(file, command,
                executor.describe(), (System.nanoTime() - t0) / 1e9, trials.size(), outcome.skipped(),
                outcome.failures()));
        printSelection(d, selections);
        settings.out().printf(Locale.ROOT, "mlx sweep: %d of %d trials complete (%d from an earlier run); wrote %s to "
                + "%s%n", outcome.results().size(), trials.size(), outcome.skipped(), String.join(", ", files), folder);
        if (!outcome.failures().isEmpty()) {
            ErrorKind k = outcome.worstExit() == 2 ? ErrorKind.USER
                    : outcome.worstExit() == 3 ? ErrorKind.RESOURCES : ErrorKind.INTERNAL;
            throw new MlxException(k, outcome.failures().size() + " trial(s) failed: "
                    + String.join("; ", outcome.failures()) + ". Fix the cause and run mlx sweep " + file
                    + " --resume" + (out != null ? " -o " + out : "") + ": finished trials are kept");
        }
        MethodSelection.requireValidation(selections);
        return 0;
    }

    private void printSelection(SweepDefinition d, List<MethodSelection> selections) {
        settings.out().printf(Locale.ROOT, "%-14s %-36s %-18s %-18s %-18s%n", "method", "selected setting",
                d.selection().label(), "Test Avg Acc", "Test Wg Acc");
        for (MethodSelection m : selections) {
            Optional<SettingResult> c = m.choice();
            if (c.isEmpty()) {
                settings.out().printf(Locale.ROOT, "%-14s none: %s%n", m.method(), m.reason());
                continue;
            }
            Restarts.Aggregate v = c.get().validation().orElseThrow();
            Restarts.Aggregate t = c.get().test().orElseThrow();
            double score = d.selection().score(v);
            double std = d.selection() == SelectionMetric.VAL_WG ? v.wgStd() : v.avgStd();
            settings.out().printf(Locale.ROOT, "%-14s %-36s %-18s %-18s %-18s%n", m.method(), c.get().cell().label(),
                    RestartsTable.meanStd(score, std), RestartsTable.meanStd(t.avgMean(), t.avgStd()),
                    RestartsTable.meanStd(t.wgMean(), t.wgStd()));
        }
    }

    /** Without --resume the folder must be new or empty; with it, it must hold a sweep. Writes nothing. */
    private void checkFolder(Path folder) {
        boolean exists = Files.isDirectory(folder);
        if (Files.exists(folder) && !exists) {
            throw MlxException.userError(folder + " exists and is not a folder; choose another --out");
        }
        if (resume) {
            if (!Files.isRegularFile(folder.resolve(PLAN_FILE))) {
                throw MlxException.userError("nothing to resume: " + folder + " holds no sweep (" + PLAN_FILE
                        + " is missing); run without --resume to start it");
            }
            return;
        }
        if (exists) {
            try (Stream<Path> s = Files.list(folder)) {
                if (s.findAny().isPresent()) {
                    throw MlxException.userError(folder + " is not empty"
                            + (Files.isRegularFile(folder.resolve(PLAN_FILE)) ? " (it holds a sweep)" : "")
                            + "; add --resume to run only its unfinished and failed trials, or choose another --out");
                }
            } catch (IOException e) {
                throw new MlxException(ErrorKind.RESOURCES, "cannot read " + folder + ": " + e.getMessage(), e);
            }
        }
    }

    /** Creates the folder and records the resolved sweep and a copy of its file. */
    private void prepare(Path folder, SweepDefinition d) {
        try {
            Files.createDirectories(folder.resolve("trials"));
            AtomicFiles.writeString(folder.resolve(PLAN_FILE), SweepReport.JSON.writeValueAsString(d));
            String name = file.getFileName().toString();
            String ext = name.contains(".") ? name.substring(name.lastIndexOf('.')) : "";
            AtomicFiles.writeString(folder.resolve("sweep-file" + ext), Files.readString(file));
        } catch (IOException e) {
            throw new MlxException(ErrorKind.RESOURCES, "cannot prepare the sweep folder " + folder + ": "
                    + e.getMessage(), e);
        }
    }

    private static String stem(Path f) {
        String name = f.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return (dot > 0 ? name.substring(0, dot) : name).replaceAll("[^A-Za-z0-9._-]", "-");
    }

    /**
     * @return {@code t} with every parameter its dataset, model and regularizer plugins declare, at the
     *     plugin's default where {@code t} does not name it (how --reuse compares runs)
     */
    static Trial withPluginDefaults(PluginCatalog catalog, Trial t) {
        return new Trial(t.id(), t.coordinates(), t.dataset(),
                withDefaults(catalog.dataset(t.dataset()).parameters(), t.datasetParams()), t.model(),
                withDefaults(catalog.model(t.model()).parameters(), t.modelParams()), t.regularizer(),
                withDefaults(catalog.regularizer(t.regularizer()).parameters(), t.regularizerParams()), t.epochs(),
                t.batchSize(), t.learningRate(), t.weightDecay(), t.seed(), t.transform());
    }

    private static Map<String, String> withDefaults(ParameterSchema schema, Map<String, String> given) {
        Map<String, String> all = new java.util.HashMap<>(given);
        schema.specs().forEach(spec -> all.putIfAbsent(spec.name(), String.valueOf(spec.defaultValue())));
        return all;
    }
}
