package dev.mlx.app.run;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mlx.api.data.ExplanationDataset;
import dev.mlx.api.metric.GroupAccuracy;
import dev.mlx.api.param.HyperParameters;
import dev.mlx.app.plugin.PluginCatalog;
import dev.mlx.engine.train.EpochMetrics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a finished run back from the folder {@link RunReport} wrote, so that an interrupted
 * {@code mlx compare} can be resumed without retraining the methods it had completed. The files are
 * read through {@link SavedRun}; where the commands that restore a run stop with a user error, this
 * class only declines to reuse the run (any unreadable or inconsistent file means: train it again).
 *
 * <p>A saved run is reused only if it is complete ({@code config.json}, {@code report.json} with
 * per-epoch group counts, {@code model.params}) and describes exactly the run about to start: the
 * same dataset with the same validated parameters and the same data checksum, the same model and
 * regularizer with the same validated parameters, and the same training settings and seed.
 * Anything else (an older report format, another seed, changed defaults) is trained again.
 */
public final class FinishedRun {
    private static final Logger LOG = LoggerFactory.getLogger(FinishedRun.class);

    private FinishedRun() {}

    /**
     * @param dir a folder written by {@link RunReport#write} (without prefix)
     * @param spec the run about to start
     * @param datasetParams the dataset's validated parameters
     * @param data the dataset it would train on
     * @param catalog the plugins, to validate the model's and regularizer's parameters
     * @return the saved result, if it is complete and matches; empty otherwise (the reason is logged)
     */
    public static Optional<RunResult> matching(Path dir, RunSpec spec, HyperParameters datasetParams,
            ExplanationDataset data, PluginCatalog catalog) {
        Path config = dir.resolve("config.json");
        Path report = dir.resolve("report.json");
        Path weights = dir.resolve("model.params");
        if (!Files.isRegularFile(config) || !Files.isRegularFile(report) || !Files.isRegularFile(weights)) {
            return Optional.empty();
        }
        try {
            HyperParameters modelParams = catalog.model(spec.model()).parameters().bind(spec.model(), spec.modelParams());
            HyperParameters regularizerParams = catalog.regularizer(spec.regularizer()).parameters()
                    .bind(spec.regularizer(), spec.regularizerParams());
            SavedRun saved = SavedRun.open(dir);
            String mismatch = mismatch(saved.config(), spec, datasetParams, modelParams, regularizerParams);
            JsonNode root = saved.report();
            if (mismatch == null && !data.checksum().equals(root.path("provenance").path("datasetChecksum").asText())) {
                mismatch = "the dataset checksum differs";
            }
            List<EpochMetrics> history = mismatch == null ? history(root.path("epochs")) : null;
            if (mismatch == null && history == null) {
                mismatch = "its report.json has no per-epoch group counts (written by an older mlx)";
            }
            if (mismatch != null) {
                LOG.info("not reusing {}: {}", dir, mismatch);
                return Optional.empty();
            }
            JsonNode results = root.path("results");
            JsonNode validation = results.path("validation");
            if (data.validation().isPresent() != validation.isObject()
                    || validation.isObject() && results.path("validationSize").asInt() != data.validation().get().size()) {
                LOG.info("not reusing {}: its validation split differs (saved {} examples)", dir,
                        results.path("validationSize").asInt());
                return Optional.empty();
            }
            return Optional.of(new RunResult(spec, datasetParams, modelParams, regularizerParams,
                    results.path("architecture").asText(), results.path("parameterCount").asLong(), data.checksum(),
                    results.path("trainSize").asInt(), results.path("testSize").asInt(), history,
                    groups(results.path("groupCorrect"), results.path("groupCount")),
                    results.path("wallSeconds").asDouble(), saved.weights(),
                    validation.isObject() ? Optional.of(groups(validation.path("groupCorrect"),
                            validation.path("groupCount"))) : Optional.empty(),
                    results.path("validationSize").asInt(), root.path("config").path("device").asText("cpu")));
        } catch (RuntimeException e) {
            LOG.info("not reusing {}: cannot read it ({})", dir, e.getMessage());
            return Optional.empty();
        }
    }

    private static String mismatch(ConfigFile saved, RunSpec spec, HyperParameters datasetParams,
            HyperParameters modelParams, HyperParameters regularizerParams) {
        if (!spec.dataset().equals(saved.dataset()) || !datasetParams.toStringMap().equals(saved.datasetParams())) {
            return "dataset or its parameters differ";
        }
        if (!spec.model().equals(saved.model()) || !modelParams.toStringMap().equals(saved.modelParams())) {
            return "model or its parameters differ";
        }
        if (!spec.regularizer().equals(saved.regularizer())
                || !regularizerParams.toStringMap().equals(saved.regularizerParams())) {
            return "regularizer or its parameters differ";
        }
        var t = spec.training();
        if (!Objects.equals(t.epochs(), saved.epochs()) || !Objects.equals(t.batchSize(), saved.batchSize())
                || !Objects.equals(t.learningRate(), saved.learningRate())
                || !Objects.equals(t.weightDecay(), saved.weightDecay()) || !Objects.equals(t.seed(), saved.seed())
                || t.fragments() != (saved.fragments() == null ? 1 : saved.fragments())) {
            return "training settings differ (saved " + saved.epochs() + " epochs, batch " + saved.batchSize()
                    + ", lr " + saved.learningRate() + ", wd " + saved.weightDecay() + ", seed " + saved.seed()
                    + ", fragments " + (saved.fragments() == null ? 1 : saved.fragments()) + ")";
        }
        return null;
    }

    private static List<EpochMetrics> history(JsonNode epochs) {
        List<EpochMetrics> list = new ArrayList<>();
        for (JsonNode e : epochs) {
            if (!e.has("examples") || e.has("testAvgGroupAccuracy") && !e.has("testGroupCorrect")) {
                return null;
            }
            list.add(new EpochMetrics(e.path("epoch").asInt(), e.path("taskLoss").asDouble(),
                    e.path("penalty").asDouble(), e.path("trainAccuracy").asDouble(), e.path("seconds").asDouble(),
                    e.path("examples").asLong(), e.has("testGroupCorrect")
                            ? groups(e.path("testGroupCorrect"), e.path("testGroupCount")) : null));
        }
        return list.isEmpty() ? null : list;
    }

    private static GroupAccuracy groups(JsonNode correct, JsonNode count) {
        if (!correct.isArray() || !count.isArray() || correct.size() != count.size()) {
            throw new IllegalStateException("group counts are missing or inconsistent");
        }
        long[] c = new long[correct.size()];
        long[] n = new long[count.size()];
        for (int i = 0; i < c.length; i++) {
            c[i] = correct.get(i).asLong();
            n[i] = count.get(i).asLong();
        }
        return new GroupAccuracy(c, n);
    }
}
