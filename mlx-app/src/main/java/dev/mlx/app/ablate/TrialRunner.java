package dev.mlx.app.ablate;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.mlx.api.data.DataContext;
import dev.mlx.api.data.DataSplit;
import dev.mlx.api.data.DatasetProvider;
import dev.mlx.api.data.ExplanationDataset;
import dev.mlx.api.error.ErrorKind;
import dev.mlx.api.error.MlxException;
import dev.mlx.api.metric.GroupAccuracy;
import dev.mlx.api.param.HyperParameters;
import dev.mlx.app.plugin.PluginCatalog;
import dev.mlx.app.report.AtomicFiles;
import dev.mlx.app.report.SaliencySet;
import dev.mlx.app.run.RunExecutor;
import dev.mlx.app.run.RunFolder;
import dev.mlx.app.run.RunReport;
import dev.mlx.app.run.RunResult;
import dev.mlx.engine.MlxEngine;
import dev.mlx.engine.train.EpochMetrics;
import dev.mlx.engine.train.TrainingListener;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one trial inside the current JVM (the child process of {@code mlx ablate-trial}): loads
 * the dataset, applies the trial's {@link TrainingSetTransform} to the training split, trains
 * through {@link RunExecutor}, writes a full run folder to {@code <trial>/run/}, measures the
 * trained network's certified fragility on the untouched test split ({@link TrialFragility}) and finally
 * {@code <trial>/result.json} (written to a temporary file and moved into place, so a killed
 * trial never leaves a result behind).
 */
public final class TrialRunner {
    /** The trial's definition, written by the parent. */
    public static final String TRIAL_FILE = "trial.json";
    /** The trial's result, written last by the child. */
    public static final String RESULT_FILE = "result.json";
    /** The trial's training checkpoint folder while it trains (removed when it finishes). */
    public static final String CHECKPOINT_DIR = "checkpoint";
    /** Mixed into the seed of the transform's draws, so they differ from the data construction's stream. */
    static final long TRANSFORM_SEED_SALT = 0x5EED_AB1A_7E00L;
    /** The JSON mapper of trial and result files. */
    public static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final Logger LOG = LoggerFactory.getLogger(TrialRunner.class);

    private final PluginCatalog catalog;
    private final MlxEngine engine;
    private final Path cacheDir;

    /**
     * @param catalog the plugins
     * @param engine the engine
     * @param cacheDir the dataset cache
     */
    public TrialRunner(PluginCatalog catalog, MlxEngine engine, Path cacheDir) {
        this.catalog = catalog;
        this.engine = engine;
        this.cacheDir = cacheDir;
    }

    /**
     * @param trialDir the trial's folder, holding {@link #TRIAL_FILE}
     * @return the result, also written to {@link #RESULT_FILE}
     */
    public TrialResult run(Path trialDir) {
        Trial trial = read(trialDir.resolve(TRIAL_FILE), Trial.class);
        DatasetProvider provider = catalog.dataset(trial.dataset());
        HyperParameters datasetParams = provider.parameters().bind(trial.dataset(), trial.datasetParams());
        ExplanationDataset data = provider.load(datasetParams, trial.seed(),
                new DataContext(Path.of("data"), cacheDir, true));
        DataSplit train = trial.transform().apply(data.train(), trial.seed() ^ TRANSFORM_SEED_SALT);
        ExplanationDataset ablated = data.withTrain(train);
        LOG.info("trial {}: {} training examples {}", trial.id(), train.size(), trial.transform().describe());
        Path checkpoint = trialDir.resolve(CHECKPOINT_DIR).resolve("state.mlxc");
        RunResult run = new RunExecutor(catalog, engine).execute(trial.runSpec(), datasetParams, ablated,
                new TrainingListener() {
                    @Override
                    public void onEpoch(EpochMetrics m) {
                        LOG.info("trial {}: epoch {} done", trial.id(), m.epoch());
                    }
                }, checkpoint);
        try (RunFolder folder = RunFolder.create(trialDir.resolve("run"), true)) {
            RunReport.write(folder, "", run, catalog.registry(),
                    SaliencySet.none("an ablation trial keeps its run folder lean; see the ablation's report.md"));
            folder.commit();
        }
        TrialFragility fragility = TrialFragility.measure(catalog, engine, trial, data, run);
        TrialResult result = new TrialResult(trial, run.test().correct(), run.test().count(), run.trainSize(),
                run.testSize(), run.wallSeconds(), run.secondsPerEpoch(), fragility,
                run.validation().map(GroupAccuracy::correct).orElse(null),
                run.validation().map(GroupAccuracy::count).orElse(null));
        writeAtomically(trialDir.resolve(RESULT_FILE), result);
        try {
            RunFolder.deleteTree(trialDir.resolve(CHECKPOINT_DIR));
        } catch (IOException e) {
            LOG.warn("could not remove the finished trial's checkpoint {}: {}", trialDir.resolve(CHECKPOINT_DIR),
                    e.getMessage());
        }
        return result;
    }

    /**
     * Whether an incomplete trial folder can continue from its training checkpoint: it holds the
     * same trial (its {@link #TRIAL_FILE} equals {@code trial}) and a checkpoint.
     *
     * @param trialDir the trial's folder
     * @param trial the trial about to run there
     * @return true if the folder's checkpoint belongs to this trial
     */
    static boolean resumable(Path trialDir, Trial trial) {
        Path file = trialDir.resolve(TRIAL_FILE);
        if (!Files.isRegularFile(trialDir.resolve(CHECKPOINT_DIR).resolve("state.mlxc")) || !Files.isRegularFile(file)) {
            return false;
        }
        try {
            return JSON.readValue(file.toFile(), Trial.class).equals(trial);
        } catch (IOException e) {
            return false;
        }
    }

    public static <T> T read(Path file, Class<T> type) {
        try {
            return JSON.readValue(file.toFile(), type);
        } catch (IOException e) {
            throw MlxException.userError("cannot read " + file + " (" + e.getMessage() + "); delete the trial folder "
                    + file.getParent() + " and run the ablation again", e);
        }
    }

    /**
     * @param file a trial's JSON file (its folder exists)
     * @param value what to write, as indented JSON, all or nothing ({@link AtomicFiles})
     */
    public static void writeAtomically(Path file, Object value) {
        try {
            AtomicFiles.write(file, JSON.writeValueAsBytes(value));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise " + value.getClass().getSimpleName(), e);
        }
    }
}
