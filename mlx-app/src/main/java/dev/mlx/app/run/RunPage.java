package dev.mlx.app.run;

import dev.mlx.api.metric.GroupAccuracy;
import dev.mlx.app.report.CurveChart;
import dev.mlx.app.report.HtmlReport;
import dev.mlx.app.report.Saliency;
import dev.mlx.app.report.SaliencySet;
import dev.mlx.app.report.TrainingCurves;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The {@code report.html} of one run: the results table (Avg Acc, Wg Acc, test accuracy, timing), the
 * per-group test accuracies, the training curves of {@link TrainingCurves} (loss; train accuracy and
 * test Avg/Wg Acc per epoch), the saliency examples and the configuration. Self-contained: every
 * image is an embedded PNG (see {@link HtmlReport}).
 */
public final class RunPage {
    static final int CHART_WIDTH = 560;
    static final int CHART_HEIGHT = 360;

    private RunPage() {}

    /**
     * @param r the run
     * @param saliency its saliency examples
     * @return the HTML document
     */
    public static String html(RunResult r, SaliencySet saliency) {
        RunSpec s = r.spec();
        GroupAccuracy t = r.test();
        HtmlReport page = HtmlReport.titled("mlx run: " + s.regularizer() + " on " + s.dataset());
        page.addSection("Results (test split)");
        page.addTable("results", List.of("Avg Acc", "Wg Acc", "worst group", "test acc", "epochs", "s/epoch",
                "samples/s", "wall s"), List.of(List.of(percent(t.averageGroupAccuracy()),
                percent(t.worstGroupAccuracy()), Integer.toString(t.worstGroup()), percent(t.accuracy()),
                Integer.toString(r.history().size()), fixed(r.secondsPerEpoch(), 1), fixed(r.samplesPerSecond(), 0),
                fixed(r.wallSeconds(), 0))));
        page.addParagraph("Avg Acc = mean of the per-group test accuracies; Wg Acc = the lowest one.");
        List<List<String>> groups = new ArrayList<>();
        double[] acc = t.perGroup();
        long[] correct = t.correct();
        long[] count = t.count();
        for (int g = 0; g < acc.length; g++) {
            groups.add(List.of(Integer.toString(g), Long.toString(count[g]), Long.toString(correct[g]),
                    percent(acc[g])));
        }
        page.addTable("groups", List.of("group", "examples", "correct", "accuracy"), groups);

        page.addSection("Training curves");
        addChart(page, TrainingCurves.loss(r.history()));
        addChart(page, TrainingCurves.accuracies(r.history()));

        addSaliency(page, "", saliency);

        page.addSection("Configuration");
        page.addDefinitions(List.of("dataset", s.dataset() + " " + r.datasetParams(),
                "model", s.model() + " " + r.modelParams() + " = " + r.architecture(),
                "parameters", Long.toString(r.parameterCount()),
                "regularizer", s.regularizer() + " " + r.regularizerParams(),
                "training", s.training().toString(),
                "data", r.trainSize() + " train / " + r.testSize() + " test examples",
                "dataset checksum", r.datasetChecksum(),
                "mlx version", Provenance.mlxVersion()));
        page.addParagraph("Per-epoch values: metrics.csv; results and provenance: report.json.");
        page.addLinks(List.of("report.json", "report.json", "report.md", "report.md", "metrics.csv", "metrics.csv",
                "config.json", "config.json"));
        return page.render();
    }

    /** Adds a saliency section (titled with the method, if given): one figure per example, or why there is none. */
    static void addSaliency(HtmlReport page, String regularizer, SaliencySet saliency) {
        page.addSection(regularizer.isEmpty() ? "Saliency examples" : "Saliency examples: " + regularizer);
        if (saliency.examples().isEmpty()) {
            page.addParagraph("No saliency examples: " + saliency.missingReason());
            return;
        }
        page.addParagraph(saliency.method() + " of the explained class on " + saliency.split()
                + " examples: input, the explanation mask's outline (red: features that must not matter), and"
                + " the attribution heat map (red positive, blue negative, white zero).");
        for (Saliency example : saliency.examples()) {
            page.addImage("saliency", saliency.figure(example), saliency.caption(example));
        }
    }

    static void addChart(HtmlReport page, CurveChart chart) {
        if (!chart.isEmpty()) {
            page.addImage("curve", chart.render(CHART_WIDTH, CHART_HEIGHT), chart.title());
        }
    }

    static String percent(double fraction) {
        return Double.isNaN(fraction) ? "n/a" : String.format(Locale.ROOT, "%.2f %%", 100 * fraction);
    }

    static String fixed(double value, int decimals) {
        return Double.isFinite(value) ? String.format(Locale.ROOT, "%." + decimals + "f", value) : "n/a";
    }
}
