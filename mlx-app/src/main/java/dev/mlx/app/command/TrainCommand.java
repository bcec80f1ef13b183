package dev.mlx.app.command;

import dev.mlx.api.error.MlxException;
import dev.mlx.app.plugin.PluginCatalog;
import dev.mlx.app.run.ConfigFile;
import dev.mlx.app.run.MethodDefaults;
import dev.mlx.app.run.RunExecutor;
import dev.mlx.app.run.RunFolder;
import dev.mlx.app.run.RunReport;
import dev.mlx.app.run.RunResult;
import dev.mlx.app.run.RunSpec;
import dev.mlx.app.run.SaliencySampler;
import dev.mlx.engine.train.TrainingConfig;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code mlx train}: one training run, written to a run folder. */
@Command(name = "train", description = "Train one model with one regularizer and write a run folder"
        + " (config.json, model.params, metrics.csv, report.json, report.md, report.html).")
public final class TrainCommand implements Callable<Integer> {
    @Option(names = "--config", description = "JSON or YAML file with the run settings (the keys of a run's config.json;"
            + " .yaml/.yml = YAML); command-line options override it.")
    Path config;

    @Mixin
    DataModelOptions dataModel;

    @Option(names = {"-r", "--regularizer"}, description = "Regularizer plugin (default: erm).")
    String regularizer;

    @Option(names = {"-p", "--param"}, description = "Regularizer hyper-parameter, key=value (repeatable).")
    Map<String, String> regularizerParams = new LinkedHashMap<>();

    @Option(names = "--epochs", description = "Epochs (default: the method's, e.g. 25 for cert-r4 on decoy-mnist).")
    Integer epochs;

    @Option(names = "--batch-size", description = "Batch size (default: the method's).")
    Integer batchSize;

    @Option(names = "--lr", description = "Adam learning rate (default: the method's).")
    Double learningRate;

    @Option(names = "--weight-decay", description = "Adam weight decay (default: 0).")
    Double weightDecay;

    @Option(names = "--fragments", description = "Gradient accumulation: split each batch into this many contiguous"
            + " fragments, back-propagate them one at a time and take one optimiser step, so peak memory is one"
            + " fragment's (1 <= fragments <= batch size; default: 1). The gradient equals the full batch's for"
            + " penalties that are means over examples; batch statistics (batch norm, batch maxima) are per fragment.")
    Integer fragments;

    @Option(names = "--seed", description = "Seed of data construction, initialisation and shuffling (default: 0).")
    Long seed;

    @Option(names = {"-o", "--out"}, description = "Run folder (default: runs/<regularizer>-<dataset>-seed<seed>).")
    Path out;

    @Option(names = "--overwrite", description = "Replace an existing run folder (only once the new run is complete).")
    boolean overwrite;

    @Option(names = "--no-fetch", description = "Never fetch data; fail if it is not cached.")
    boolean noFetch;

    @Option(names = "--resume", paramLabel = "DIR", description = "Continue an interrupted `mlx train` whose run folder"
            + " (--out) was DIR, from the checkpoint it wrote at the end of its last finished epoch; the settings"
            + " come from that run, so no other run option is allowed. The result equals an uninterrupted run's.")
    Path resume;

    /** Where a run keeps its settings and training checkpoint while it runs (removed when it completes). */
    static final String CHECKPOINT_DIR = "checkpoint";

    private final PluginCatalog catalog;
    private final AppSettings settings;
    private final EngineHolder engine;

    @Inject
    public TrainCommand(PluginCatalog catalog, AppSettings settings, EngineHolder engine) {
        this.catalog = catalog;
        this.settings = settings;
        this.engine = engine;
    }

    @Override
    public Integer call() {
        Path staging = null;
        ConfigFile file;
        if (resume != null) {
            refuseRunOptionsWithResume();
            staging = interruptedStaging(resume);
            file = ConfigFile.read(staging.resolve(CHECKPOINT_DIR).resolve("run.json"));
            out = resume;
        } else {
            file = config == null ? null : ConfigFile.read(config);
        }
        String ds = pick(dataModel.dataset, file == null ? null : file.dataset(), DataModelOptions.DEFAULT_DATASET);
        String md = pick(dataModel.model, file == null ? null : file.model(), DataModelOptions.DEFAULT_MODEL);
        // Resolve names before any work so an unknown plugin fails at once (adv-r4 on a text model is token-adv-r4).
        catalog.dataset(ds);
        String rg = catalog.regularizerFor(pick(regularizer, file == null ? null : file.regularizer(), "erm"), md);
        MethodDefaults defaults = MethodDefaults.of(ds, rg);
        TrainingConfig training = new TrainingConfig(
                pick(epochs, file == null ? null : file.epochs(), defaults.epochs()),
                pick(batchSize, file == null ? null : file.batchSize(), defaults.batchSize()),
                pick(learningRate, file == null ? null : file.learningRate(), defaults.learningRate()),
                pick(weightDecay, file == null ? null : file.weightDecay(), 0.0),
                pick(seed, file == null ? null : file.seed(), 0L),
                pick(fragments, file == null ? null : file.fragments(), 1));
        RunSpec spec = new RunSpec(ds, merge(file == null ? null : file.datasetParams(), dataModel.datasetParams), md,
                merge(file == null ? null : file.modelParams(), dataModel.modelParams), rg,
                merge(defaults.regularizerParams(),
                        merge(file == null ? null : file.regularizerParams(), regularizerParams)), training);
        // Validate every hyper-parameter before loading data or training.
        catalog.model(md).parameters().bind(md, spec.modelParams());
        catalog.regularizer(rg).parameters().bind(rg, spec.regularizerParams());
        Path target = out != null ? out : Path.of("runs", rg + "-" + ds + "-seed" + training.seed());
        try (RunFolder folder = staging != null ? RunFolder.reopen(target, staging) : RunFolder.create(target, overwrite)) {
            if (staging == null) {
                folder.writeText(CHECKPOINT_DIR + "/run.json", toJson(ConfigFile.toJson(spec)));
            }
            // A run that fails with an error removes its staging folder (nothing half-written is left); one that is
            // killed (kill -9, power loss) never gets there and leaves it, with its checkpoint, for --resume.
            DatasetLoader.Loaded loaded =
                    DatasetLoader.load(catalog, settings, ds, spec.datasetParams(), training.seed(), !noFetch);
            if (!settings.quiet()) {
                settings.err().println(header(spec, loaded, engine.get().device()));
            }
            RunResult result = new RunExecutor(catalog, engine.get()).execute(spec, loaded.params(), loaded.data(),
                    new ProgressListener(settings.err(), rg, training.epochs(), training.batchSize(), settings.quiet()),
                    folder.staging().resolve(CHECKPOINT_DIR).resolve("state.mlxc"));
            RunReport.write(folder, "", result, catalog.registry(), new SaliencySampler(catalog, engine.get())
                    .sample(result, loaded.data().test(), SaliencySampler.EXAMPLES));
            deleteCheckpoint(folder);
            folder.commit();
            settings.out().printf(Locale.ROOT, "%s on %s: Avg Acc %.2f%%, Wg Acc %.2f%% (group %d), test acc %.2f%%,"
                    + " %.1f s/epoch%nrun folder: %s%n", rg, ds, 100 * result.test().averageGroupAccuracy(),
                    100 * result.test().worstGroupAccuracy(), result.test().worstGroup(),
                    100 * result.test().accuracy(), result.secondsPerEpoch(), folder.target());
        }
        return 0;
    }

    /**
     * @return the one-line header of a run: method, dataset and its sizes, model, device, epochs and steps,
     *     e.g. {@code mlx train: rrr on decoy-mnist (54000 train / 6000 validation / 10000 test, 1x28x28), model mlp
     *     on cpu, 25 epochs x 54 steps of 1000}
     */
    static String header(RunSpec spec, DatasetLoader.Loaded loaded, String device) {
        var data = loaded.data();
        int steps = (data.train().size() + spec.training().batchSize() - 1) / spec.training().batchSize();
        return String.format(Locale.ROOT, "mlx train: %s on %s (%d train / %s%d test, %s), model %s on %s, %d epoch%s x %d "
                + "step%s of %d", spec.regularizer(), spec.dataset(), data.train().size(),
                data.validation().map(v -> v.size() + " validation / ").orElse(""), data.test().size(),
                String.join("x", java.util.Arrays.stream(data.exampleShape()).mapToObj(Long::toString).toList()),
                spec.model(), device, spec.training().epochs(), spec.training().epochs() == 1 ? "" : "s", steps,
                steps == 1 ? "" : "s", spec.training().batchSize());
    }

    private void refuseRunOptionsWithResume() {
        List<String> given = new java.util.ArrayList<>();
        if (config != null) {
            given.add("--config");
        }
        if (dataModel.dataset != null || dataModel.model != null || !dataModel.datasetParams.isEmpty()
                || !dataModel.modelParams.isEmpty()) {
            given.add("--dataset/--model and their parameters");
        }
        if (regularizer != null || !regularizerParams.isEmpty()) {
            given.add("--regularizer/--param");
        }
        if (epochs != null || batchSize != null || learningRate != null || weightDecay != null || fragments != null
                || seed != null) {
            given.add("training settings");
        }
        if (out != null || overwrite) {
            given.add("--out/--overwrite");
        }
        if (!given.isEmpty()) {
            throw MlxException.userError("--resume continues a run with its own settings; drop "
                    + String.join(", ", given));
        }
    }

    /** The newest staging folder an interrupted run towards {@code target} left, with its settings. */
    private static Path interruptedStaging(Path target) {
        if (Files.exists(target)) {
            throw MlxException.userError("run folder " + target + " exists: that run finished; nothing to resume");
        }
        for (Path staging : RunFolder.leftovers(target)) {
            if (Files.isRegularFile(staging.resolve(CHECKPOINT_DIR).resolve("run.json"))) {
                return staging;
            }
        }
        throw MlxException.userError("no interrupted run of " + target + " to resume: an interrupted `mlx train --out "
                + target + "` leaves a hidden folder ." + target.toAbsolutePath().normalize().getFileName()
                + ".partial-* with a checkpoint next to it, and there is none");
    }

    private static void deleteCheckpoint(RunFolder folder) {
        try {
            RunFolder.deleteTree(folder.staging().resolve(CHECKPOINT_DIR));
        } catch (java.io.IOException e) {
            throw folder.writeFailed(CHECKPOINT_DIR, e);
        }
    }

    private static String toJson(Map<String, Object> json) {
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().writerWithDefaultPrettyPrinter()
                    .writeValueAsString(json);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static <T> T pick(T cli, T file, T fallback) {
        if (cli != null) {
            return cli;
        }
        return file != null ? file : fallback;
    }

    private static Map<String, String> merge(Map<String, String> file, Map<String, String> cli) {
        Map<String, String> m = new LinkedHashMap<>();
        if (file != null) {
            file.forEach((k, v) -> {
                if (v == null) {
                    throw MlxException.userError("config value of '" + k + "' is null");
                }
                m.put(k, v);
            });
        }
        m.putAll(cli);
        return m;
    }
}
