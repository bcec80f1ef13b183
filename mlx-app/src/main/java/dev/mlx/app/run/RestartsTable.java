package dev.mlx.app.run;

import dev.mlx.app.report.PasteTable;
import dev.mlx.app.report.PasteTable.Cell;
import dev.mlx.app.report.PasteTable.Column;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The comparison table and JSON of methods trained over several restarts ({@link Restarts}): Avg
 * and Wg Acc as mean ± std over the seeds, aggregated as spec §8.1 says.
 */
public final class RestartsTable {
    /** What the columns are, printed under the table. */
    public static final String LEGEND = "Avg Acc = mean over groups of the seed-averaged per-group test accuracies"
            + " (± the std over seeds of each seed's mean group accuracy); Wg Acc = the lowest seed-averaged group"
            + " accuracy, i.e. the worst group of the restart-averaged accuracies, not the mean of per-seed minima"
            + " (± the std over seeds of the accuracy on that group); stds are sample stds (n - 1). Val Avg / Val Wg:"
            + " the same on the validation split carved from the training data (- when the dataset has none).";

    private RestartsTable() {}

    /**
     * @param methods the methods' restarts, in table order
     * @return a Markdown table
     */
    public static String markdown(List<Restarts> methods) {
        StringBuilder sb = new StringBuilder();
        sb.append("| method | Avg Acc | Wg Acc | worst group | Val Avg | Val Wg | seeds | epochs | lr | s/epoch"
                + " | wall s (sum) |\n");
        sb.append("|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (Restarts m : methods) {
            Restarts.Aggregate t = m.test();
            Optional<Restarts.Aggregate> v = m.validation();
            RunResult first = m.runs().get(0);
            sb.append(String.format(Locale.ROOT, "| %s | %s | %s | %d | %s | %s | %s | %d | %s | %.1f | %.0f |%n",
                    m.method(), meanStd(t.avgMean(), t.avgStd()), meanStd(t.wgMean(), t.wgStd()), t.worstGroup(),
                    v.map(a -> meanStd(a.avgMean(), a.avgStd())).orElse("-"),
                    v.map(a -> meanStd(a.wgMean(), a.wgStd())).orElse("-"), seedList(m.seeds()),
                    first.history().size(), first.spec().training().learningRate(),
                    m.runs().stream().mapToDouble(RunResult::secondsPerEpoch).average().orElse(Double.NaN),
                    m.runs().stream().mapToDouble(RunResult::wallSeconds).sum()));
        }
        return sb.toString();
    }

    /**
     * The table to paste ({@code comparison.csv}, {@code comparison.tex}), one row per method, for one
     * seed or several: accuracies in percent, Avg/Wg Acc and their validation twins as mean ± std over
     * the seeds (no std with one seed), then the settings and times (those in the CSV only).
     *
     * @param methods the methods' restarts, in table order
     * @param caption the LaTeX caption
     * @return the table
     */
    public static PasteTable pasteTable(List<Restarts> methods, String caption) {
        PasteTable.Builder b = PasteTable.builder().optCaption(caption).optLabel("tab:mlx-comparison")
                .addColumn(Column.text("method", "method"))
                .addColumn(Column.meanStd("Avg Acc (%)", "avg_acc_pct", "%.2f", "%.4f"))
                .addColumn(Column.meanStd("Wg Acc (%)", "wg_acc_pct", "%.2f", "%.4f"))
                .addColumn(Column.number("worst group", "worst_group", "%.0f", "%.0f"))
                .addColumn(Column.meanStd("Val Avg Acc (%)", "val_avg_acc_pct", "%.2f", "%.4f"))
                .addColumn(Column.meanStd("Val Wg Acc (%)", "val_wg_acc_pct", "%.2f", "%.4f"))
                .addColumn(Column.number("test acc (%)", "test_acc_pct", "%.2f", "%.4f").csvOnly())
                .addColumn(Column.text("seeds", "seeds").csvOnly())
                .addColumn(Column.number("epochs", "epochs", "%.0f", "%.0f").csvOnly())
                .addColumn(Column.text("lr", "learning_rate").csvOnly())
                .addColumn(Column.number("s/epoch", "seconds_per_epoch", "%.1f", "%.3f").csvOnly())
                .addColumn(Column.number("wall s (sum)", "wall_seconds_sum", "%.0f", "%.3f").csvOnly());
        for (Restarts m : methods) {
            Restarts.Aggregate t = m.test();
            Optional<Restarts.Aggregate> v = m.validation();
            RunResult first = m.runs().get(0);
            b.addRow(List.of(Cell.text(m.method()), Cell.meanStd(100 * t.avgMean(), 100 * t.avgStd()),
                    Cell.meanStd(100 * t.wgMean(), 100 * t.wgStd()), Cell.number(t.worstGroup()),
                    v.map(a -> Cell.meanStd(100 * a.avgMean(), 100 * a.avgStd())).orElse(Cell.empty()),
                    v.map(a -> Cell.meanStd(100 * a.wgMean(), 100 * a.wgStd())).orElse(Cell.empty()),
                    Cell.number(100 * m.runs().stream().mapToDouble(r -> r.test().accuracy()).average()
                            .orElse(Double.NaN)),
                    Cell.text(seedList(m.seeds())), Cell.number(first.history().size()),
                    Cell.text(String.valueOf(first.spec().training().learningRate())),
                    Cell.number(m.runs().stream().mapToDouble(RunResult::secondsPerEpoch).average().orElse(Double.NaN)),
                    Cell.number(m.runs().stream().mapToDouble(RunResult::wallSeconds).sum())));
        }
        return b.build();
    }

    /**
     * @param methods the methods' restarts
     * @return per method: {@code method}, {@code seeds}, {@code avgMean}, {@code avgStd}, {@code wgMean},
     *     {@code wgStd}, {@code worstGroup}, {@code groupAccuracyMean}, {@code validation} (the same aggregate on
     *     the validation split, or null) and {@code perSeed} (each restart's results with its {@code seed})
     */
    public static List<Map<String, Object>> json(List<Restarts> methods) {
        List<Map<String, Object>> list = new ArrayList<>();
        for (Restarts m : methods) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("method", m.method());
            row.put("seeds", m.seeds());
            row.putAll(m.test().toJson());
            row.put("validation", m.validation().map(Restarts.Aggregate::toJson).orElse(null));
            row.put("perSeed", perSeed(m));
            list.add(row);
        }
        return list;
    }

    /**
     * @param m one method's restarts
     * @return each restart's row ({@link Comparison#json}) with its seed
     */
    public static List<Map<String, Object>> perSeed(Restarts m) {
        List<Map<String, Object>> rows = new ArrayList<>();
        List<Map<String, Object>> plain = Comparison.json(m.runs());
        for (int i = 0; i < plain.size(); i++) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("seed", m.seeds().get(i));
            row.putAll(plain.get(i));
            rows.add(row);
        }
        return rows;
    }

    /**
     * @param mean a mean accuracy in [0, 1]
     * @param std its std ({@code NaN} for one restart)
     * @return e.g. {@code 97.02 ± 0.31 %}, or {@code 97.02 %} without a std
     */
    public static String meanStd(double mean, double std) {
        return Double.isNaN(std) ? String.format(Locale.ROOT, "%.2f %%", 100 * mean)
                : String.format(Locale.ROOT, "%.2f ± %.2f %%", 100 * mean, 100 * std);
    }

    private static String seedList(List<Long> seeds) {
        return seeds.stream().map(String::valueOf).reduce((a, b) -> a + "," + b).orElse("");
    }
}
