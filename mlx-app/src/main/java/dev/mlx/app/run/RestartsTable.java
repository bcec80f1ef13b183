package dev.mlx.app.run;

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
