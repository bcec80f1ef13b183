package dev.mlx.app.run;

import dev.mlx.api.metric.GroupAccuracy;
import dev.mlx.app.report.AccuracyChart;
import dev.mlx.app.report.HtmlReport;
import dev.mlx.app.report.SaliencySet;
import dev.mlx.app.report.TrainingCurves;
import dev.mlx.engine.train.EpochMetrics;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code report.html} of a comparison ({@code mlx demo}, {@code mlx compare}): one table of all
 * methods, a bar chart of Avg Acc and Wg Acc per method, the training curves of every method (test
 * Wg Acc, test Avg Acc, task loss and train accuracy per epoch, one curve per method), each method's
 * saliency examples, and links to the per-method reports. Self-contained (see {@link HtmlReport}).
 */
public final class ComparisonPage {
    private ComparisonPage() {}

    /**
     * @param title the page title
     * @param summary one paragraph about the setting (data sizes, seed, machine, time)
     * @param results the runs, in table order
     * @param saliency each method's saliency examples by method name
     * @return the HTML document
     */
    public static String html(String title, String summary, List<RunResult> results,
            Map<String, SaliencySet> saliency) {
        HtmlReport page = HtmlReport.titled(title);
        page.addParagraph(summary);
        page.addSection("Results (test split)");
        List<List<String>> rows = new ArrayList<>();
        List<String> methods = new ArrayList<>();
        double[] avg = new double[results.size()];
        double[] worst = new double[results.size()];
        Map<String, List<EpochMetrics>> histories = new LinkedHashMap<>();
        for (int i = 0; i < results.size(); i++) {
            RunResult r = results.get(i);
            GroupAccuracy t = r.test();
            String method = r.spec().regularizer();
            methods.add(method);
            avg[i] = 100 * t.averageGroupAccuracy();
            worst[i] = 100 * t.worstGroupAccuracy();
            histories.put(method, r.history());
            rows.add(List.of(method, RunPage.percent(t.averageGroupAccuracy()),
                    RunPage.percent(t.worstGroupAccuracy()), Integer.toString(t.worstGroup()),
                    RunPage.percent(t.accuracy()), Integer.toString(r.history().size()),
                    Double.toString(r.spec().training().learningRate()), RunPage.fixed(r.secondsPerEpoch(), 1),
                    RunPage.fixed(r.samplesPerSecond(), 0), RunPage.fixed(r.wallSeconds(), 0)));
        }
        page.addTable("results", List.of("method", "Avg Acc", "Wg Acc", "worst group", "test acc", "epochs", "lr",
                "s/epoch", "samples/s", "wall s"), rows);
        page.addParagraph("Avg Acc = mean of the per-group test accuracies; Wg Acc = the lowest one.");
        page.addImage("accuracy", AccuracyChart.of("Test accuracy per method", methods)
                .addMeasure("Avg Acc", avg).addMeasure("Wg Acc", worst)
                .render(Math.max(RunPage.CHART_WIDTH, 70 * methods.size() + 160), RunPage.CHART_HEIGHT),
                "Avg Acc and Wg Acc per method");

        page.addSection("Training curves");
        RunPage.addChart(page, TrainingCurves.perRun("Test Wg Acc per epoch", "%", histories,
                e -> 100 * TrainingCurves.testValue(e, false)));
        RunPage.addChart(page, TrainingCurves.perRun("Test Avg Acc per epoch", "%", histories,
                e -> 100 * TrainingCurves.testValue(e, true)));
        RunPage.addChart(page, TrainingCurves.perRun("Task loss per epoch", "cross-entropy", histories,
                EpochMetrics::taskLoss));
        RunPage.addChart(page, TrainingCurves.perRun("Train accuracy per epoch", "%", histories,
                e -> 100 * e.trainAccuracy()));

        for (String method : methods) {
            SaliencySet set = saliency.get(method);
            if (set != null) {
                RunPage.addSaliency(page, method, set);
            }
        }

        page.addSection("Per-method reports");
        List<String> links = new ArrayList<>();
        for (String method : methods) {
            links.add(method + "/report.html");
            links.add(method);
        }
        page.addLinks(links);
        page.addParagraph("The table as Markdown and JSON: comparison.md, comparison.json.");
        return page.render();
    }
}
