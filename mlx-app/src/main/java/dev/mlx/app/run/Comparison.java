package dev.mlx.app.run;

import dev.mlx.api.metric.GroupAccuracy;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** A table comparing several runs on one dataset (the demo's and compare's output). */
public final class Comparison {
    private Comparison() {}

    /**
     * @param results the runs, in table order
     * @return a Markdown table
     */
    public static String markdown(List<RunResult> results) {
        StringBuilder sb = new StringBuilder();
        sb.append("| method | Avg Acc | Wg Acc | worst group | test acc | epochs | lr | s/epoch | samples/s | wall s |\n");
        sb.append("|---|---|---|---|---|---|---|---|---|---|\n");
        for (RunResult r : results) {
            GroupAccuracy t = r.test();
            sb.append(String.format(Locale.ROOT, "| %s | %.2f %% | %.2f %% | %d | %.2f %% | %d | %s | %.1f | %.0f | %.0f |%n",
                    r.spec().regularizer(), 100 * t.averageGroupAccuracy(), 100 * t.worstGroupAccuracy(),
                    t.worstGroup(), 100 * t.accuracy(), r.history().size(), r.spec().training().learningRate(),
                    r.secondsPerEpoch(), r.samplesPerSecond(), r.wallSeconds()));
        }
        return sb.toString();
    }

    /**
     * @param results the runs
     * @return a JSON-ready list of each run's results
     */
    public static List<Map<String, Object>> json(List<RunResult> results) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (RunResult r : results) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("method", r.spec().regularizer());
            row.put("regularizerParams", r.regularizerParams().toStringMap());
            row.put("epochs", r.spec().training().epochs());
            row.put("learningRate", r.spec().training().learningRate());
            row.put("batchSize", r.spec().training().batchSize());
            row.putAll(RunReport.results(r));
            rows.add(row);
        }
        return rows;
    }
}
