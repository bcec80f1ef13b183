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
     * @param summary one paragraph about the setting (data sizes, seeds, machine, time)
     * @param methods the methods' runs over one or more seeds, in table order
     * @param saliency each method's saliency examples (of its first seed) by method name
     * @return the HTML document
     */
    public static String html(String title, String summary, List<Restarts> methods,
            Map<String, SaliencySet> saliency) {
        HtmlReport page = HtmlReport.titled(title);
        page.addParagraph(summary);
        page.addSection("Results (test split)");
        boolean restarts = methods.stream().anyMatch(m -> m.seeds().size() > 1);
        List<List<String>> rows = new ArrayList<>();
        List<String> names = new ArrayList<>();
        Map<String, List<EpochMetrics>> histories = new LinkedHashMap<>();
        for (int i = 0; i < methods.size(); i++) {
            Restarts m = methods.get(i);
            RunResult r = m.runs().get(0);
            String method = m.method();
            names.add(method);
            histories.put(method, r.history());
            if (restarts) {
                Restarts.Aggregate a = m.test();
                rows.add(List.of(method, RestartsTable.meanStd(a.avgMean(), a.avgStd()),
                        RestartsTable.meanStd(a.wgMean(), a.wgStd()), Integer.toString(a.worstGroup()),
                        m.validation().map(v -> RestartsTable.meanStd(v.avgMean(), v.avgStd())).orElse("-"),
                        m.validation().map(v -> RestartsTable.meanStd(v.wgMean(), v.wgStd())).orElse("-"),
                        m.seeds().stream().map(String::valueOf).reduce((x, y) -> x + "," + y).orElse(""),
                        Integer.toString(r.history().size()), Double.toString(r.spec().training().learningRate())));
            } else {
                GroupAccuracy t = r.test();
                rows.add(List.of(method, RunPage.percent(t.averageGroupAccuracy()),
                        RunPage.percent(t.worstGroupAccuracy()), Integer.toString(t.worstGroup()),
                        RunPage.percent(t.accuracy()), Integer.toString(r.history().size()),
                        Double.toString(r.spec().training().learningRate()), RunPage.fixed(r.secondsPerEpoch(), 1),
                        RunPage.fixed(r.samplesPerSecond(), 0), RunPage.fixed(r.wallSeconds(), 0)));
            }
        }
        if (restarts) {
            page.addTable("results", List.of("method", "Avg Acc", "Wg Acc", "worst group", "Val Avg", "Val Wg",
                    "seeds", "epochs", "lr"), rows);
            page.addParagraph(RestartsTable.LEGEND + " Training curves and saliency maps below are those of each"
                    + " method's first seed.");
        } else {
            page.addTable("results", List.of("method", "Avg Acc", "Wg Acc", "worst group", "test acc", "epochs", "lr",
                    "s/epoch", "samples/s", "wall s"), rows);
            page.addParagraph("Avg Acc = mean of the per-group test accuracies; Wg Acc = the lowest one.");
        }
        page.addImage("accuracy", accuracyChart(methods).render(chartWidth(methods), RunPage.CHART_HEIGHT),
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

        for (String method : names) {
            SaliencySet set = saliency.get(method);
            if (set != null) {
                RunPage.addSaliency(page, method, set);
            }
        }

        page.addSection("Per-method reports");
        List<String> links = new ArrayList<>();
        for (Restarts m : methods) {
            for (long seed : m.seeds()) {
                String dir = restarts ? m.method() + "/seed" + seed : m.method();
                links.add(dir + "/report.html");
                links.add(restarts ? m.method() + " (seed " + seed + ")" : m.method());
            }
        }
        page.addLinks(links);
        page.addParagraph("The table as Markdown, JSON, CSV and LaTeX: comparison.md, comparison.json, comparison.csv,"
                + " comparison.tex; the accuracy chart as SVG: comparison.svg.");
        return page.render();
    }

    /**
     * @param methods the methods' runs over one or more seeds, in table order
     * @return the page's accuracy chart as SVG ({@code comparison.svg})
     */
    public static byte[] accuracySvg(List<Restarts> methods) {
        return accuracyChart(methods).svg(chartWidth(methods), RunPage.CHART_HEIGHT);
    }

    /**
     * @param methods the methods' runs over one or more seeds, in table order
     * @return the bar chart of test Avg Acc and Wg Acc per method (percent; the means over seeds)
     */
    static AccuracyChart accuracyChart(List<Restarts> methods) {
        boolean restarts = methods.stream().anyMatch(m -> m.seeds().size() > 1);
        double[] avg = methods.stream().mapToDouble(m -> 100 * m.test().avgMean()).toArray();
        double[] worst = methods.stream().mapToDouble(m -> 100 * m.test().wgMean()).toArray();
        return AccuracyChart.of(restarts ? "Test accuracy per method (mean over seeds)" : "Test accuracy per method",
                methods.stream().map(Restarts::method).toList()).addMeasure("Avg Acc", avg).addMeasure("Wg Acc", worst);
    }

    /**
     * @param methods the methods
     * @return the width of {@link #accuracyChart}, wider with more methods
     */
    static int chartWidth(List<Restarts> methods) {
        return Math.max(RunPage.CHART_WIDTH, 70 * methods.size() + 160);
    }
}
