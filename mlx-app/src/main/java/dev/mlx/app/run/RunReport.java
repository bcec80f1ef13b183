package dev.mlx.app.run;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.mlx.api.metric.GroupAccuracy;
import dev.mlx.app.log.RunLog;
import dev.mlx.app.plugin.PluginRegistry;
import dev.mlx.app.report.SaliencySet;
import dev.mlx.engine.io.Checkpoints;
import dev.mlx.engine.train.EpochMetrics;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes a run folder: {@code config.json}, {@code model.params}, {@code metrics.csv},
 * {@code report.json} (results and provenance), {@code report.md} and the self-contained
 * {@code report.html} of {@link RunPage} (table, training curves, saliency examples).
 */
public final class RunReport {
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private RunReport() {}

    /**
     * Writes the run's files under {@code prefix} (e.g. {@code "cert-r4/"}) inside the folder.
     *
     * @param folder the staging folder
     * @param prefix a path prefix ending in {@code /}, or empty
     * @param result the run
     * @param registry the plugins, for provenance
     * @param saliency the run's saliency examples for {@code report.html}
     */
    public static void write(RunFolder folder, String prefix, RunResult result, PluginRegistry registry,
            SaliencySet saliency) {
        try {
            folder.writeText(prefix + "config.json", JSON.writeValueAsString(ConfigFile.toJson(result)));
            try (OutputStream out = folder.open(prefix + "model.params")) {
                Checkpoints.write(out, result.weights());
            } catch (IOException e) {
                throw folder.writeFailed(prefix + "model.params", e);
            }
            folder.writeText(prefix + "metrics.csv", metricsCsv(result.history()));
            Map<String, Object> report = new LinkedHashMap<>();
            report.put("results", results(result));
            report.put("epochs", epochs(result.history()));
            report.put("provenance", Provenance.of(registry, result.spec(), result.datasetChecksum()));
            report.put("config", ConfigFile.toJson(result));
            folder.writeText(prefix + "report.json", JSON.writeValueAsString(report));
            folder.writeText(prefix + "report.md", markdown(result));
            folder.writeText(prefix + "report.html", RunPage.html(result, saliency));
            folder.writeText(prefix + "mlx.log", RunLog.current());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Map<String, Object> results(RunResult r) {
        Map<String, Object> m = new LinkedHashMap<>();
        GroupAccuracy test = r.test();
        m.put("testAccuracy", test.accuracy());
        m.put("avgGroupAccuracy", test.averageGroupAccuracy());
        m.put("worstGroupAccuracy", test.worstGroupAccuracy());
        m.put("worstGroup", test.worstGroup());
        m.put("groupAccuracy", test.perGroup());
        m.put("groupCount", test.count());
        m.put("groupCorrect", test.correct());
        m.put("trainSize", r.trainSize());
        m.put("testSize", r.testSize());
        m.put("validationSize", r.validationSize());
        m.put("validation", r.validation().map(RunReport::groups).orElse(null));
        m.put("wallSeconds", r.wallSeconds());
        m.put("secondsPerEpoch", r.secondsPerEpoch());
        m.put("samplesPerSecond", r.samplesPerSecond());
        m.put("architecture", r.architecture());
        m.put("parameterCount", r.parameterCount());
        return m;
    }

    /** @return a group accuracy as report.json holds it (the validation results) */
    static Map<String, Object> groups(GroupAccuracy g) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("accuracy", g.accuracy());
        m.put("avgGroupAccuracy", g.averageGroupAccuracy());
        m.put("worstGroupAccuracy", g.worstGroupAccuracy());
        m.put("worstGroup", g.worstGroup());
        m.put("groupAccuracy", g.perGroup());
        m.put("groupCount", g.count());
        m.put("groupCorrect", g.correct());
        return m;
    }

    private static List<Map<String, Object>> epochs(List<EpochMetrics> history) {
        List<Map<String, Object>> list = new ArrayList<>();
        for (EpochMetrics e : history) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("epoch", e.epoch());
            m.put("taskLoss", e.taskLoss());
            m.put("penalty", e.penalty());
            m.put("trainAccuracy", e.trainAccuracy());
            m.put("seconds", e.seconds());
            m.put("examples", e.examples());
            if (e.test() != null) {
                m.put("testAvgGroupAccuracy", e.test().averageGroupAccuracy());
                m.put("testWorstGroupAccuracy", e.test().worstGroupAccuracy());
                m.put("testGroupCorrect", e.test().correct());
                m.put("testGroupCount", e.test().count());
            }
            list.add(m);
        }
        return list;
    }

    static String metricsCsv(List<EpochMetrics> history) {
        StringBuilder sb = new StringBuilder(
                "epoch,task_loss,penalty,train_accuracy,test_accuracy,test_avg_group_accuracy,test_worst_group_accuracy,seconds\n");
        for (EpochMetrics e : history) {
            sb.append(String.format(Locale.ROOT, "%d,%.6f,%.6g,%.5f,%s,%s,%s,%.3f%n", e.epoch(), e.taskLoss(), e.penalty(),
                    e.trainAccuracy(), e.test() == null ? "" : fmt(e.test().accuracy()),
                    e.test() == null ? "" : fmt(e.test().averageGroupAccuracy()),
                    e.test() == null ? "" : fmt(e.test().worstGroupAccuracy()), e.seconds()));
        }
        return sb.toString();
    }

    private static String fmt(double d) {
        return String.format(Locale.ROOT, "%.5f", d);
    }

    static String markdown(RunResult r) {
        StringBuilder sb = new StringBuilder();
        RunSpec s = r.spec();
        GroupAccuracy t = r.test();
        sb.append("# mlx run: ").append(s.regularizer()).append(" on ").append(s.dataset()).append("\n\n");
        sb.append(String.format(Locale.ROOT, "| Avg Acc | Wg Acc (group) | Test acc | epochs | s/epoch | wall s |%n"));
        sb.append("|---|---|---|---|---|---|\n");
        sb.append(String.format(Locale.ROOT, "| %.2f %% | %.2f %% (%d) | %.2f %% | %d | %.1f | %.0f |%n%n",
                100 * t.averageGroupAccuracy(), 100 * t.worstGroupAccuracy(), t.worstGroup(), 100 * t.accuracy(),
                r.history().size(), r.secondsPerEpoch(), r.wallSeconds()));
        sb.append("Per-group test accuracy: ");
        double[] g = t.perGroup();
        for (int i = 0; i < g.length; i++) {
            sb.append(String.format(Locale.ROOT, "%s%d: %.2f %%", i == 0 ? "" : ", ", i, 100 * g[i]));
        }
        sb.append("\n\n");
        sb.append(r.validation().map(v -> String.format(Locale.ROOT, "Validation (%d examples, carved from the"
                + " training data): Avg Acc %.2f %%, Wg Acc %.2f %% (group %d)", r.validationSize(),
                100 * v.averageGroupAccuracy(), 100 * v.worstGroupAccuracy(), v.worstGroup()))
                .orElse("Validation: none (this dataset has no validation split)"));
        sb.append("\n\n## Configuration\n\n");
        sb.append("- dataset: `").append(s.dataset()).append("` ").append(r.datasetParams()).append('\n');
        sb.append("- model: `").append(s.model()).append("` ").append(r.modelParams()).append(" = ")
                .append(r.architecture()).append('\n');
        sb.append("- regularizer: `").append(s.regularizer()).append("` ").append(r.regularizerParams()).append('\n');
        sb.append("- training: ").append(s.training()).append('\n');
        sb.append("- data: ").append(r.trainSize()).append(" train / ").append(r.testSize())
                .append(" test examples, checksum `").append(r.datasetChecksum()).append("`\n");
        sb.append("\nPer-epoch values are in `metrics.csv`; provenance in `report.json`; curves and saliency"
                + " examples in `report.html`.\n");
        return sb.toString();
    }
}
