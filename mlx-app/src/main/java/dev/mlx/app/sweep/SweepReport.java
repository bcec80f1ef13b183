package dev.mlx.app.sweep;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.mlx.app.ablate.Trial;
import dev.mlx.app.ablate.TrialResult;
import dev.mlx.app.report.AccuracyChart;
import dev.mlx.app.report.AtomicFiles;
import dev.mlx.app.report.HtmlReport;
import dev.mlx.app.report.PasteTable;
import dev.mlx.app.report.PasteTable.Cell;
import dev.mlx.app.report.Png;
import dev.mlx.app.run.Provenance;
import dev.mlx.app.run.Restarts;
import dev.mlx.app.run.RestartsTable;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Writes a sweep's results into its folder: {@code sweep.md} (the selected settings' test Avg/Wg
 * Acc as mean ± std over seeds, then every setting's validation scores), {@code sweep.json} (the
 * same with per-seed values and every trial), the selected settings as a table to paste
 * ({@code sweep.csv}, {@code sweep.tex}: {@link PasteTable}), {@code report.html} (tables and a bar
 * chart) and the chart as {@code sweep.png} and {@code sweep.svg}. Each file is written to a
 * temporary file and renamed ({@link AtomicFiles}).
 */
final class SweepReport {
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final int CHART_HEIGHT = 360;
    private static final String LEGEND = "Selection uses the validation split only: per method, the setting with the "
            + "highest %s (mean over seeds, spec §8.1) among the settings that finished on every seed; ties go to the "
            + "first in the file. Test Avg Acc = mean over groups of the seed-averaged group accuracies, ± the std "
            + "over seeds of each seed's Avg Acc; test Wg Acc = the lowest seed-averaged group accuracy, ± the std "
            + "over seeds of the accuracy on that group (sample std, divisor n - 1; none with one seed).";

    private SweepReport() {}

    /**
     * The sweep's context for the reports.
     *
     * @param file the sweep file
     * @param command the command line
     * @param executor the executor's description
     * @param wallSeconds wall time of this invocation
     * @param trials trials planned
     * @param skipped trials complete before this invocation
     * @param failures one line per failed trial
     */
    record Context(Path file, String command, String executor, double wallSeconds, int trials, int skipped,
            List<String> failures) {}

    /**
     * @param folder the sweep folder
     * @param d the sweep
     * @param selections what was chosen per method
     * @param ctx the context
     * @return the names of the files written
     */
    static List<String> write(Path folder, SweepDefinition d, List<MethodSelection> selections, Context ctx) {
        String metric = d.selection().label();
        AtomicFiles.writeString(folder.resolve("sweep.md"), markdown(d, selections, ctx, metric));
        AtomicFiles.writeString(folder.resolve("sweep.json"), json(d, selections, ctx));
        PasteTable paste = pasteTable(d, selections);
        AtomicFiles.writeString(folder.resolve("sweep.csv"), paste.csv());
        AtomicFiles.writeString(folder.resolve("sweep.tex"), paste.latex());
        List<String> files = new ArrayList<>(List.of("sweep.md", "sweep.json", "sweep.csv", "sweep.tex"));
        Optional<AccuracyChart> chart = chart(selections);
        Optional<BufferedImage> image = chart.map(c -> c.render(chartWidth(selections), CHART_HEIGHT));
        if (image.isPresent()) {
            AtomicFiles.write(folder.resolve("sweep.png"), Png.encode(image.get()));
            AtomicFiles.write(folder.resolve("sweep.svg"), chart.get().svg(chartWidth(selections), CHART_HEIGHT));
            files.add("sweep.png");
            files.add("sweep.svg");
        }
        AtomicFiles.writeString(folder.resolve("report.html"), html(d, selections, ctx, metric, image));
        files.add("report.html");
        return files;
    }

    /**
     * The selected settings as a table to paste ({@code sweep.csv}, {@code sweep.tex}): per method the
     * setting, its validation score and its test Avg/Wg Acc as mean ± std over the seeds, in percent.
     */
    static PasteTable pasteTable(SweepDefinition d, List<MethodSelection> selections) {
        PasteTable.Builder b = PasteTable.builder()
                .optCaption("Sweep on " + d.dataset() + " (" + d.model() + "): test accuracy of each method's setting "
                        + "selected on " + d.selection().label() + (d.seeds().size() > 1 ? ", mean ± std over seeds "
                                : ", seed ")
                        + d.seeds().stream().map(String::valueOf).reduce((x, y) -> x + "," + y).orElse("") + ".")
                .optLabel("tab:mlx-sweep")
                .addColumn(PasteTable.Column.text("method", "method"))
                .addColumn(PasteTable.Column.text("selected setting", "setting"))
                .addColumn(PasteTable.Column.meanStd("Val " + (d.selection() == SelectionMetric.VAL_WG ? "Wg" : "Avg")
                        + " Acc (%)", d.selection() == SelectionMetric.VAL_WG ? "val_wg_acc_pct" : "val_avg_acc_pct",
                        "%.2f", "%.4f"))
                .addColumn(PasteTable.Column.meanStd("Test Avg Acc (%)", "test_avg_acc_pct", "%.2f", "%.4f"))
                .addColumn(PasteTable.Column.meanStd("Test Wg Acc (%)", "test_wg_acc_pct", "%.2f", "%.4f"))
                .addColumn(PasteTable.Column.number("worst group", "worst_group", "%.0f", "%.0f"))
                .addColumn(PasteTable.Column.number("epochs", "epochs", "%.0f", "%.0f").csvOnly())
                .addColumn(PasteTable.Column.text("lr", "learning_rate").csvOnly());
        for (MethodSelection m : selections) {
            Optional<SettingResult> c = m.choice();
            if (c.isEmpty()) {
                b.addRow(List.of(Cell.text(m.method()), Cell.text("none: " + m.reason()), Cell.empty(), Cell.empty(),
                        Cell.empty(), Cell.empty(), Cell.empty(), Cell.empty()));
                continue;
            }
            Restarts.Aggregate v = c.get().validation().orElseThrow();
            Restarts.Aggregate t = c.get().test().orElseThrow();
            Trial first = c.get().cell().trials().get(0);
            boolean wg = d.selection() == SelectionMetric.VAL_WG;
            b.addRow(List.of(Cell.text(m.method()), Cell.text(c.get().cell().label()),
                    wg ? Cell.meanStd(100 * v.wgMean(), 100 * v.wgStd()) : Cell.meanStd(100 * v.avgMean(),
                            100 * v.avgStd()), Cell.meanStd(100 * t.avgMean(), 100 * t.avgStd()),
                    Cell.meanStd(100 * t.wgMean(), 100 * t.wgStd()), Cell.number(t.worstGroup()),
                    Cell.number(first.epochs()), Cell.text(String.valueOf(first.learningRate()))));
        }
        return b.build();
    }

    private static String markdown(SweepDefinition d, List<MethodSelection> selections, Context ctx, String metric) {
        StringBuilder md = new StringBuilder();
        md.append("# Sweep: ").append(d.dataset()).append(" / ").append(d.model()).append("\n\n");
        md.append(summary(d, ctx)).append("\n\n");
        md.append("## Selected settings (test split, mean ± std over seeds)\n\n");
        md.append("| method | selected setting | ").append(metric).append(" | Test Avg Acc | Test Wg Acc | worst group "
                + "| epochs | lr |\n|---|---|---|---|---|---|---|---|\n");
        for (MethodSelection m : selections) {
            Optional<SettingResult> c = m.choice();
            if (c.isEmpty()) {
                md.append("| ").append(m.method()).append(" | none: ").append(m.reason()).append(" | - | - | - | - | - "
                        + "| - |\n");
                continue;
            }
            Restarts.Aggregate v = c.get().validation().orElseThrow();
            Restarts.Aggregate t = c.get().test().orElseThrow();
            Trial first = c.get().cell().trials().get(0);
            md.append("| ").append(m.method()).append(" | ").append(c.get().cell().label()).append(" | ")
                    .append(score(d.selection(), v)).append(" | ").append(RestartsTable.meanStd(t.avgMean(), t.avgStd()))
                    .append(" | ").append(RestartsTable.meanStd(t.wgMean(), t.wgStd())).append(" | ")
                    .append(t.worstGroup()).append(" | ").append(first.epochs()).append(" | ")
                    .append(first.learningRate()).append(" |\n");
        }
        md.append('\n').append(String.format(LEGEND, metric)).append("\n\n");
        md.append("## Every setting (validation split)\n\n");
        md.append("| method | setting | seeds done | Val Avg Acc | Val Wg Acc | selected |\n|---|---|---|---|---|---|\n");
        for (MethodSelection m : selections) {
            for (int i = 0; i < m.settings().size(); i++) {
                SettingResult s = m.settings().get(i);
                Optional<Restarts.Aggregate> v = s.validation();
                md.append("| ").append(m.method()).append(" | ").append(s.cell().label()).append(" | ")
                        .append(s.results().size()).append('/').append(s.cell().trials().size()).append(" | ")
                        .append(v.map(a -> RestartsTable.meanStd(a.avgMean(), a.avgStd())).orElse("-")).append(" | ")
                        .append(v.map(a -> RestartsTable.meanStd(a.wgMean(), a.wgStd())).orElse("-")).append(" | ")
                        .append(i == m.selected() ? "**yes**" : "").append(" |\n");
            }
        }
        if (!ctx.failures().isEmpty()) {
            md.append("\n## Failed trials\n\n");
            for (String f : ctx.failures()) {
                md.append("- ").append(f).append('\n');
            }
            md.append("\nRun the same command with `--resume` to run only these again.\n");
        }
        md.append("\nEvery trial's folder is `trials/<id>/` (trial.json, trial.log, result.json, run/report.html).\n");
        return md.toString();
    }

    private static String score(SelectionMetric metric, Restarts.Aggregate v) {
        return metric == SelectionMetric.VAL_WG ? RestartsTable.meanStd(v.wgMean(), v.wgStd())
                : RestartsTable.meanStd(v.avgMean(), v.avgStd());
    }

    private static String summary(SweepDefinition d, Context ctx) {
        return String.format(Locale.ROOT, "Sweep file `%s`; dataset %s%s, model %s%s; seeds %s; %d trials (%d "
                + "complete before this run, %d failed); executor %s; this run took %.0f s. Command: `%s`.",
                ctx.file().getFileName(), d.dataset(), d.datasetParams().isEmpty() ? "" : " " + d.datasetParams(),
                d.model(), d.modelParams().isEmpty() ? "" : " " + d.modelParams(), d.seeds(), ctx.trials(), ctx.skipped(),
                ctx.failures().size(), ctx.executor(), ctx.wallSeconds(), ctx.command());
    }

    /** @return the seeds the selected setting finished, in order */
    private static List<Long> perSeedSeeds(SettingResult s) {
        return s.results().stream().map(r -> r.trial().seed()).toList();
    }

    /**
     * @param t one trial of the selected setting (all of its trials differ only in the seed)
     * @return every setting it trained with: the regularizer and its hyper-parameters as given (the
     *     plugin's defaults fill the rest), epochs, batch size, learning rate and weight decay
     */
    private static Map<String, Object> settingsUsed(Trial t) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("regularizer", t.regularizer());
        m.put("regularizerParams", new java.util.TreeMap<>(t.regularizerParams()));
        m.put("epochs", t.epochs());
        m.put("batchSize", t.batchSize());
        m.put("learningRate", t.learningRate());
        m.put("weightDecay", t.weightDecay());
        return m;
    }

    private static String json(SweepDefinition d, List<MethodSelection> selections, Context ctx) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("sweepFile", ctx.file().toString());
        root.put("command", ctx.command());
        root.put("dataset", d.dataset());
        root.put("datasetParams", d.datasetParams());
        root.put("model", d.model());
        root.put("modelParams", d.modelParams());
        root.put("seeds", d.seeds());
        root.put("selection", d.selection().fileName());
        root.put("executor", ctx.executor());
        root.put("trials", ctx.trials());
        root.put("failures", ctx.failures());
        Map<String, Object> written = Provenance.environment();
        written.put("date", java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString());
        root.put("provenance", written);
        Map<String, Object> methods = new LinkedHashMap<>();
        for (MethodSelection m : selections) {
            Map<String, Object> mj = new LinkedHashMap<>();
            mj.put("method", m.method());
            mj.put("plugin", m.plugin());
            mj.put("selected", m.choice().map(s -> (Object) s.cell().setting()).orElse(null));
            mj.put("reason", m.reason().isEmpty() ? null : m.reason());
            m.choice().ifPresent(s -> {
                Restarts.Aggregate t = s.test().orElseThrow();
                mj.put("avgMean", t.avgMean());
                mj.put("avgStd", Double.isNaN(t.avgStd()) ? null : t.avgStd());
                mj.put("wgMean", t.wgMean());
                mj.put("wgStd", Double.isNaN(t.wgStd()) ? null : t.wgStd());
                mj.put("test", t.toJson());
                mj.put("validation", s.validation().orElseThrow().toJson());
                mj.put("seeds", perSeedSeeds(s));
                mj.put("perSeed", perSeed(s));
                mj.put("settingsUsed", settingsUsed(s.cell().trials().get(0)));
            });
            List<Map<String, Object>> settings = new ArrayList<>();
            for (SettingResult s : m.settings()) {
                Map<String, Object> sj = new LinkedHashMap<>();
                sj.put("setting", s.cell().setting());
                sj.put("trials", s.cell().trials().stream().map(Trial::id).toList());
                sj.put("seedsDone", s.results().size());
                sj.put("validation", s.validation().map(Restarts.Aggregate::toJson).orElse(null));
                sj.put("test", s.test().map(Restarts.Aggregate::toJson).orElse(null));
                settings.add(sj);
            }
            mj.put("settings", settings);
            methods.put(m.method(), mj);
        }
        root.put("methods", methods);
        try {
            return JSON.writeValueAsString(root);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<Map<String, Object>> perSeed(SettingResult s) {
        List<Map<String, Object>> seeds = new ArrayList<>();
        for (TrialResult r : s.results()) {
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("seed", r.trial().seed());
            one.put("trial", r.trial().id());
            one.put("avg", r.test().averageGroupAccuracy());
            one.put("wg", r.test().worstGroupAccuracy());
            one.put("groupAccuracy", r.test().perGroup());
            r.validation().ifPresent(v -> {
                one.put("valAvg", v.averageGroupAccuracy());
                one.put("valWg", v.worstGroupAccuracy());
            });
            one.put("trainSize", r.trainSize());
            one.put("wallSeconds", r.wallSeconds());
            seeds.add(one);
        }
        return seeds;
    }

    private static Optional<AccuracyChart> chart(List<MethodSelection> selections) {
        List<String> names = new ArrayList<>();
        List<double[]> values = new ArrayList<>();
        for (MethodSelection m : selections) {
            m.choice().flatMap(SettingResult::test).ifPresent(t -> {
                names.add(m.method());
                values.add(new double[] {100 * t.avgMean(), 100 * t.wgMean()});
            });
        }
        if (names.isEmpty()) {
            return Optional.empty();
        }
        double[] avg = values.stream().mapToDouble(v -> v[0]).toArray();
        double[] wg = values.stream().mapToDouble(v -> v[1]).toArray();
        return Optional.of(AccuracyChart.of("Test accuracy of each method's selected setting (mean over seeds)", names)
                .addMeasure("Avg Acc", avg).addMeasure("Wg Acc", wg));
    }

    private static int chartWidth(List<MethodSelection> selections) {
        return Math.max(560, 70 * (int) selections.stream().filter(m -> m.choice().isPresent()).count() + 160);
    }

    private static String html(SweepDefinition d, List<MethodSelection> selections, Context ctx, String metric,
            Optional<BufferedImage> chart) {
        HtmlReport page = HtmlReport.titled("Sweep: " + d.dataset() + " / " + d.model());
        page.addParagraph(summary(d, ctx).replace("`", ""));
        page.addSection("Selected settings (test split, mean ± std over seeds)");
        List<List<String>> rows = new ArrayList<>();
        for (MethodSelection m : selections) {
            Optional<SettingResult> c = m.choice();
            if (c.isEmpty()) {
                rows.add(List.of(m.method(), "none: " + m.reason(), "-", "-", "-", "-"));
                continue;
            }
            Restarts.Aggregate t = c.get().test().orElseThrow();
            rows.add(List.of(m.method(), c.get().cell().label(), score(d.selection(), c.get().validation()
                    .orElseThrow()), RestartsTable.meanStd(t.avgMean(), t.avgStd()), RestartsTable.meanStd(t.wgMean(),
                    t.wgStd()), Integer.toString(t.worstGroup())));
        }
        page.addTable("results", List.of("method", "selected setting", metric, "Test Avg Acc", "Test Wg Acc",
                "worst group"), rows);
        page.addParagraph(String.format(LEGEND, metric));
        chart.ifPresent(img -> page.addImage("accuracy", img, "Test Avg Acc and Wg Acc of each method's selected "
                + "setting"));
        page.addSection("Every setting (validation split)");
        List<List<String>> all = new ArrayList<>();
        for (MethodSelection m : selections) {
            for (int i = 0; i < m.settings().size(); i++) {
                SettingResult s = m.settings().get(i);
                Optional<Restarts.Aggregate> v = s.validation();
                all.add(List.of(m.method(), s.cell().label(), s.results().size() + "/" + s.cell().trials().size(),
                        v.map(a -> RestartsTable.meanStd(a.avgMean(), a.avgStd())).orElse("-"),
                        v.map(a -> RestartsTable.meanStd(a.wgMean(), a.wgStd())).orElse("-"),
                        i == m.selected() ? "yes" : ""));
            }
        }
        page.addTable("settings", List.of("method", "setting", "seeds done", "Val Avg Acc", "Val Wg Acc", "selected"),
                all);
        if (!ctx.failures().isEmpty()) {
            page.addSection("Failed trials");
            List<String> defs = new ArrayList<>();
            for (String f : ctx.failures()) {
                int colon = f.indexOf(": ");
                defs.add(colon < 0 ? f : f.substring(0, colon));
                defs.add(colon < 0 ? "" : f.substring(colon + 2));
            }
            page.addDefinitions(defs);
        }
        page.addSection("Trials");
        List<String> links = new ArrayList<>();
        for (MethodSelection m : selections) {
            for (SettingResult s : m.settings()) {
                for (TrialResult r : s.results()) {
                    links.add("trials/" + r.trial().id() + "/run/report.html");
                    links.add(r.trial().id());
                }
            }
        }
        page.addLinks(links);
        return page.render();
    }

}
