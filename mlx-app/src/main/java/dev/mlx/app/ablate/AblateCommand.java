package dev.mlx.app.ablate;

import dev.mlx.api.error.ErrorKind;
import dev.mlx.api.error.MlxException;
import dev.mlx.app.command.AppSettings;
import dev.mlx.app.command.DataModelOptions;
import dev.mlx.app.exec.ExecutorOptions;
import dev.mlx.app.exec.TrialExecutor;
import dev.mlx.app.plugin.PluginCatalog;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code mlx ablate <kind>}: runs one of the R4 paper's ablations (reference specification §12)
 * as a grid of trials, each trial its own process, and writes {@code results.csv},
 * {@code results.tex}, {@code results.json}, {@code report.md} and plots (PNG and SVG) into one folder. Re-running the same
 * command resumes: complete trials are kept, incomplete ones run again ({@link TrialScheduler}).
 */
@Command(name = "ablate", description = {"Run an ablation grid (one process per trial on the local or Slurm "
        + "executor, resumable) and write "
        + "results.csv, results.tex (LaTeX), results.json, report.md and plots (PNG and SVG).",
        "Kinds: mask-fraction, data-fraction, corruption, heatmap (weight decay x mask fraction), model-size."})
public final class AblateCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "KIND",
            description = "mask-fraction, data-fraction, corruption, heatmap or model-size.")
    String kind;

    @Mixin
    DataModelOptions dataModel;

    @Option(names = "--methods", split = ",", required = true, description = "Comma-separated regularizers.")
    List<String> methods;

    @Option(names = "--fractions", split = ",", description = "The fraction axis: masks kept (mask-fraction, "
            + "heatmap), data kept (data-fraction) or masks correct (corruption). Default: the paper's grid.")
    List<Double> fractions;

    @Option(names = "--corruptions", split = ",",
            description = "corruption only: misposition, shift, dilation, shrink (default: all four).")
    List<String> corruptions;

    @Option(names = "--corruption-rules", description = "corruption only: auto (default), decoy-mnist or derma.")
    String corruptionRules;

    @Option(names = "--weight-decays", split = ",",
            description = "heatmap only: the weight-decay axis (default: 1e-4 x {1e-3 .. 100}).")
    List<Double> weightDecays;

    @Option(names = "--size-param", description = "model-size only: the model parameter to sweep (default: layers "
            + "for mlp, size for derma-cnn).")
    String sizeParam;

    @Option(names = "--sizes", split = ",", description = "model-size only: its values (default: 1,2,3,4 for mlp; "
            + "small,small-medium,medium-large,large for derma-cnn).")
    List<String> sizes;

    @Option(names = "--epochs", description = "Override every method's epochs.")
    Integer epochs;

    @Option(names = "--batch-size", description = "Override every method's batch size.")
    Integer batchSize;

    @Option(names = "--lr", description = "Override every method's learning rate.")
    Double learningRate;

    @Option(names = "--weight-decay", description = "Adam weight decay of every trial (default 0; not with heatmap).")
    Double weightDecay;

    @Option(names = "--seeds", split = ",", description = "Seeds (restarts) of every grid point (default: 0).")
    List<Long> seeds = new ArrayList<>(List.of(0L));

    @Option(names = {"-o", "--out"}, description = "Ablation folder (default: runs/ablate-<kind>-<dataset>).")
    Path out;

    @Mixin
    ExecutorOptions executorOptions;

    @Spec
    CommandSpec commandSpec;

    static final List<Double> DEFAULT_WEIGHT_DECAYS = List.of(1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2);

    private final PluginCatalog catalog;
    private final AppSettings settings;

    @Inject
    public AblateCommand(PluginCatalog catalog, AppSettings settings) {
        this.catalog = catalog;
        this.settings = settings;
    }

    @Override
    public Integer call() {
        AblationSpec spec = spec();
        List<Trial> trials = AblationPlan.trials(spec);
        validate(spec, trials);
        Path folder = out != null ? out : Path.of("runs", "ablate-" + spec.kind().cliName() + "-" + spec.dataset());
        TrialExecutor executor = executorOptions.executor(folder, trials.size(), settings.pluginsDir(),
                settings.cacheDir(), settings.device().text(), settings.err());
        executor.check();
        prepare(folder, spec);
        TrialScheduler.Outcome outcome = new TrialScheduler(folder, "mlx ablate", settings.err()).run(trials,
                executor);
        String command = "mlx " + String.join(" ", commandSpec.commandLine().getParseResult().originalArgs());
        List<String> files = AblationReport.write(folder, spec, command, outcome, trials.size());
        settings.out().println("mlx ablate: " + outcome.results().size() + " of " + trials.size() + " trials complete ("
                + outcome.skipped() + " from an earlier run); wrote " + String.join(", ", files) + " to " + folder);
        if (!outcome.failures().isEmpty()) {
            ErrorKind k = outcome.worstExit() == 2 ? ErrorKind.USER
                    : outcome.worstExit() == 3 ? ErrorKind.RESOURCES : ErrorKind.INTERNAL;
            throw new MlxException(k, outcome.failures().size() + " trial(s) failed: "
                    + String.join("; ", outcome.failures()) + ". Fix the cause and run the same command again: "
                    + "complete trials are kept");
        }
        return 0;
    }

    /** Parses and checks the options into an immutable spec; options that do not apply to the kind are errors. */
    AblationSpec spec() {
        String dataset = dataModel.dataset(DataModelOptions.DEFAULT_DATASET);
        String model = dataModel.model(DataModelOptions.DEFAULT_MODEL);
        Map<String, String> modelParams = dataModel.modelParams();
        AblationKind k = AblationKind.parse(kind);
        reject(k != AblationKind.CORRUPTION && (corruptions != null || corruptionRules != null),
                "--corruptions/--corruption-rules", k);
        reject(k != AblationKind.HEATMAP && weightDecays != null, "--weight-decays", k);
        reject(k == AblationKind.HEATMAP && weightDecay != null, "--weight-decay (the heat map sweeps it: use "
                + "--weight-decays)", k);
        reject(k != AblationKind.MODEL_SIZE && (sizes != null || sizeParam != null), "--sizes/--size-param", k);
        reject(k == AblationKind.MODEL_SIZE && fractions != null, "--fractions", k);
        executorOptions.validate();
        if (seeds.isEmpty() || methods.isEmpty()) {
            throw MlxException.userError("--seeds and --methods need at least one value");
        }
        List<Double> fs = fractions != null ? fractions : k.defaultFractions();
        for (double f : fs) {
            if (!(f >= 0 && f <= 1)) {
                throw MlxException.userError("--fractions: " + f + " is not in [0, 1]");
            }
        }
        List<Double> wds = k == AblationKind.HEATMAP ? (weightDecays != null ? weightDecays : DEFAULT_WEIGHT_DECAYS)
                : List.of();
        for (double wd : wds) {
            if (!(wd >= 0) || Double.isInfinite(wd)) {
                throw MlxException.userError("--weight-decays: " + wd + " must be a number >= 0");
            }
        }
        List<Corruption> cs = k == AblationKind.CORRUPTION
                ? (corruptions != null ? corruptions.stream().map(Corruption::parse).toList()
                        : List.of(Corruption.values()))
                : List.of();
        CorruptionRules rules = k == AblationKind.CORRUPTION
                ? CorruptionRules.parse(corruptionRules != null ? corruptionRules : "auto", dataset) : null;
        String sp = null;
        List<String> sz = List.of();
        if (k == AblationKind.MODEL_SIZE) {
            sp = sizeParam != null ? sizeParam : switch (model) {
                case "mlp" -> "layers";
                case "derma-cnn" -> "size";
                default -> throw MlxException.userError("model-size: no default size parameter for model '" + model
                        + "'; pass --size-param and --sizes");
            };
            sz = sizes != null ? sizes : switch (model + "/" + sp) {
                case "mlp/layers" -> List.of("1", "2", "3", "4");
                case "derma-cnn/size" -> List.of("small", "small-medium", "medium-large", "large");
                default -> throw MlxException.userError("model-size: pass --sizes for parameter '" + sp + "' of "
                        + model);
            };
            if (modelParams.containsKey(sp)) {
                throw MlxException.userError("model-size sweeps '" + sp + "'; do not also set it with --model-param");
            }
        }
        return new AblationSpec(k, dataset, dataModel.datasetParams(), model, modelParams, methods, fs, cs, rules, wds,
                sp, sz, epochs, batchSize, learningRate, weightDecay != null ? weightDecay : 0.0, seeds);
    }

    private static void reject(boolean wrong, String option, AblationKind k) {
        if (wrong) {
            throw MlxException.userError(option + " does not apply to the " + k.cliName() + " ablation; remove it");
        }
    }

    /** Resolves every plugin name and binds every hyper-parameter before any process starts. */
    private void validate(AblationSpec spec, List<Trial> trials) {
        catalog.dataset(spec.dataset()).parameters().bind(spec.dataset(), dataModel.datasetParams());
        for (Trial t : trials) {
            catalog.model(t.model()).parameters().bind(t.model(), t.modelParams());
            catalog.regularizer(t.regularizer()).parameters().bind(t.regularizer(), t.regularizerParams());
            t.runSpec();
        }
    }

    /** Creates the folder, or checks that an existing one holds the same ablation (to resume it). */
    private static void prepare(Path folder, AblationSpec spec) {
        Path marker = folder.resolve("ablation.json");
        Map<String, String> identity = new LinkedHashMap<>();
        identity.put("ablation", spec.kind().cliName());
        identity.put("dataset", spec.dataset());
        identity.put("model", spec.model());
        try {
            if (Files.isRegularFile(marker)) {
                Map<?, ?> existing = TrialRunner.JSON.readValue(marker.toFile(), Map.class);
                if (!existing.equals(identity)) {
                    throw MlxException.userError("folder " + folder + " holds another ablation " + existing
                            + "; choose another --out (a folder is resumed only by the same ablation, dataset and "
                            + "model)");
                }
                return;
            }
            Files.createDirectories(folder);
            TrialRunner.writeAtomically(marker, identity);
        } catch (IOException e) {
            throw new MlxException(ErrorKind.RESOURCES, "cannot prepare " + folder + ": " + e.getMessage(), e);
        }
    }
}
