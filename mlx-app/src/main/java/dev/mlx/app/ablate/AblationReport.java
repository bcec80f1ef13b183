package dev.mlx.app.ablate;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.mlx.app.report.AtomicFiles;
import dev.mlx.app.report.PasteTable;
import dev.mlx.app.run.Provenance;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes an ablation's summary files into its folder: {@code results.csv} (one row per trial),
 * {@code results.tex} (the seed-averaged cells as a booktabs LaTeX table, {@link PasteTable}),
 * {@code results.json} (the settings, every trial, and the seed-averaged cells), {@code report.md}
 * (the command, the machine, the cell table and the plots) and the plots as PNG and SVG
 * ({@link AblationPlots}). Each file is written to a temporary file and renamed. Rewritten after
 * every run from the complete trials, so a resumed ablation's summary covers all of them.
 */
final class AblationReport {
    private AblationReport() {}

    /**
     * @param out the ablation folder
     * @param spec the settings
     * @param command the command line that ran it
     * @param outcome the trials
     * @param totalTrials how many trials the plan has
     * @return the files written
     */
    static List<String> write(Path out, AblationSpec spec, String command, TrialScheduler.Outcome outcome,
            int totalTrials) {
        List<AblationCell> cells = AblationCell.of(outcome.results());
        List<String> files = new ArrayList<>();
        List<String> columns = columns(outcome.results());
        write(out.resolve("results.csv"), csv(columns, outcome.results()));
        files.add("results.csv");
        write(out.resolve("results.tex"), pasteTable(spec, cells).latex());
        files.add("results.tex");
        write(out.resolve("results.json"), json(spec, command, outcome, cells, totalTrials));
        files.add("results.json");
        List<String> plots = cells.isEmpty() ? List.of() : AblationPlots.write(out, spec.kind(), cells);
        write(out.resolve("report.md"), markdown(spec, command, outcome, cells, plots, totalTrials));
        files.add("report.md");
        for (String plot : plots) {
            files.add(plot);
            files.add(AblationPlots.svgName(plot));
        }
        return files;
    }

    /**
     * The cell table of {@code report.md} as a table to paste ({@code results.tex}): the grid
     * coordinates, then Avg/Wg Acc as mean ± std over the seeds (no std with one seed), test accuracy
     * and the certified fragility.
     */
    static PasteTable pasteTable(AblationSpec spec, List<AblationCell> cells) {
        List<String> keys = cells.isEmpty() ? List.of() : new ArrayList<>(cells.get(0).coordinates().keySet());
        PasteTable.Builder b = PasteTable.builder().optLabel("tab:mlx-ablation-" + spec.kind().cliName())
                .optCaption("Ablation " + spec.kind().cliName() + " on " + spec.dataset() + " (" + spec.model()
                        + "): test accuracy, " + (spec.seeds().size() > 1 ? "mean ± std over seeds " : "seed ")
                        + spec.seeds().stream().map(String::valueOf).reduce((x, y) -> x + "," + y).orElse("")
                        + "; kappa_m = certified"
                        + " input-gradient fragility on the masked features, kappa ratio = kappa_m / kappa_core.");
        keys.forEach(k -> b.addColumn(PasteTable.Column.text(k, k)));
        b.addColumn(PasteTable.Column.number("train n", "train_size", "%.0f", "%.0f"))
                .addColumn(PasteTable.Column.meanStd("Avg Acc (%)", "avg_acc_pct", "%.2f", "%.4f"))
                .addColumn(PasteTable.Column.meanStd("Wg Acc (%)", "wg_acc_pct", "%.2f", "%.4f"))
                .addColumn(PasteTable.Column.number("test acc (%)", "test_acc_pct", "%.2f", "%.4f"))
                .addColumn(PasteTable.Column.number("kappa_m", "kappa_m", "%.4g", "%.6g"))
                .addColumn(PasteTable.Column.number("kappa ratio", "fragility_ratio", "%.4g", "%.6g"));
        for (AblationCell c : cells) {
            List<PasteTable.Cell> row = new ArrayList<>();
            keys.forEach(k -> row.add(PasteTable.Cell.text(c.coordinates().get(k))));
            boolean one = c.seeds() < 2;
            row.add(PasteTable.Cell.number(c.trainSize()));
            row.add(PasteTable.Cell.meanStd(100 * c.averageGroupAccuracy(), one ? Double.NaN : 100 * c.averageStd()));
            row.add(PasteTable.Cell.meanStd(100 * c.worstGroupAccuracy(), one ? Double.NaN : 100 * c.worstStd()));
            row.add(PasteTable.Cell.number(100 * c.testAccuracy()));
            row.add(PasteTable.Cell.number(c.kappaMasked()));
            row.add(PasteTable.Cell.number(c.fragilityRatio()));
            b.addRow(row);
        }
        return b.build();
    }

    private static List<String> columns(List<TrialResult> results) {
        List<String> columns = new ArrayList<>();
        for (TrialResult r : results) {
            for (String k : r.trial().coordinates().keySet()) {
                if (!columns.contains(k)) {
                    columns.add(k);
                }
            }
        }
        return columns;
    }

    static String csv(List<String> columns, List<TrialResult> results) {
        StringBuilder b = new StringBuilder("trial,");
        columns.forEach(c -> b.append(c).append(','));
        b.append("seed,train_size,test_size,test_accuracy,avg_group_accuracy,worst_group_accuracy,worst_group,"
                + "wall_seconds,seconds_per_epoch,fragility_epsilon,kappa_m,kappa_core,fragility_ratio\n");
        for (TrialResult r : results) {
            b.append(r.trial().id()).append(',');
            columns.forEach(c -> b.append(r.trial().coordinates().getOrDefault(c, "")).append(','));
            b.append(String.format(Locale.ROOT, "%d,%d,%d,%.6f,%.6f,%.6f,%d,%.3f,%.3f,", r.trial().seed(),
                    r.trainSize(), r.testSize(), r.test().accuracy(), r.test().averageGroupAccuracy(),
                    r.test().worstGroupAccuracy(), r.test().worstGroup(), r.wallSeconds(), r.secondsPerEpoch()));
            TrialFragility f = r.fragility();
            b.append(f == null ? ",,," : String.format(Locale.ROOT, "%s,%.6g,%.6g,%.6g", f.epsilon(), f.kappaMasked(),
                    f.kappaCore(), f.ratio())).append('\n');
        }
        return b.toString();
    }

    private static String json(AblationSpec spec, String command, TrialScheduler.Outcome outcome,
            List<AblationCell> cells, int totalTrials) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ablation", spec.kind().cliName());
        m.put("command", command);
        m.put("settings", spec);
        m.put("mlxVersion", Provenance.mlxVersion());
        m.put("machine", machine());
        m.put("trialsPlanned", totalTrials);
        m.put("trialsComplete", outcome.results().size());
        m.put("failures", outcome.failures());
        m.put("cells", cells);
        m.put("trials", outcome.results());
        try {
            return TrialRunner.JSON.writeValueAsString(m);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String markdown(AblationSpec spec, String command, TrialScheduler.Outcome outcome,
            List<AblationCell> cells, List<String> plots, int totalTrials) {
        StringBuilder b = new StringBuilder();
        b.append("# Ablation: ").append(spec.kind().cliName()).append(" on ").append(spec.dataset()).append(" (")
                .append(spec.model()).append(")\n\n");
        b.append("Command: `").append(command).append("`\n\n");
        b.append(String.format(Locale.ROOT, "%d of %d trials complete; seeds %s; %s.%n%n", outcome.results().size(),
                totalTrials, spec.seeds(), machine()));
        b.append("Avg Acc = mean of the restart-averaged per-group test accuracies; Wg Acc = the lowest of them "
                + "(reference spec §8.1); ± = std over seeds. kappa_m and kappa ratio = certified input-gradient "
                + "fragility of the trained network on the test split (reference spec §8.3: kappa_m / kappa_core at "
                + "the dataset's test_epsilon, mean over seeds; - = not measured).\n\n");
        List<String> keys = cells.isEmpty() ? List.of() : new ArrayList<>(cells.get(0).coordinates().keySet());
        b.append('|');
        keys.forEach(k -> b.append(' ').append(k).append(" |"));
        b.append(" train n | Avg Acc | Wg Acc | test acc | kappa_m | kappa ratio |\n|");
        keys.forEach(k -> b.append("---|"));
        b.append("---|---|---|---|---|---|\n");
        for (AblationCell c : cells) {
            b.append('|');
            keys.forEach(k -> b.append(' ').append(c.coordinates().get(k)).append(" |"));
            b.append(String.format(Locale.ROOT, " %d | %.2f ± %.2f | %.2f ± %.2f | %.2f | %s | %s |%n", c.trainSize(),
                    100 * c.averageGroupAccuracy(), 100 * c.averageStd(), 100 * c.worstGroupAccuracy(),
                    100 * c.worstStd(), 100 * c.testAccuracy(), fourDigits(c.kappaMasked()),
                    fourDigits(c.fragilityRatio())));
        }
        if (!outcome.failures().isEmpty()) {
            b.append("\nFailed trials (run the same command again to retry them):\n\n");
            outcome.failures().forEach(f -> b.append("* ").append(f).append('\n'));
        }
        if (!plots.isEmpty()) {
            b.append('\n');
            plots.forEach(p -> b.append("![").append(p).append("](").append(p).append(")\n"));
        }
        return b.toString();
    }

    /** @return {@code v} with 4 significant digits, or {@code -} if it is NaN */
    static String fourDigits(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.4g", v);
    }

    /** @return the machine note: cores, OS, JVM */
    static String machine() {
        return Runtime.getRuntime().availableProcessors() + " CPUs, " + System.getProperty("os.name") + " "
                + System.getProperty("os.arch") + ", Java " + System.getProperty("java.version");
    }

    private static void write(Path file, String text) {
        AtomicFiles.writeString(file, text);
    }
}
