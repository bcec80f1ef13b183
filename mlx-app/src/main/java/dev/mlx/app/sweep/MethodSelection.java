package dev.mlx.app.sweep;

import dev.mlx.api.error.MlxException;
import dev.mlx.app.ablate.Trial;
import dev.mlx.app.ablate.TrialResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a sweep chose for one method: among its settings that finished on every seed, the one with
 * the highest {@link SelectionMetric} on the validation split (the first in file order on a tie).
 * The test split plays no part in the choice; its numbers are reported for the chosen setting.
 *
 * @param method the method as the file names it
 * @param plugin the regularizer plugin that ran
 * @param settings every setting tried, in file order
 * @param selected the index of the chosen setting in {@code settings}, or -1 when none could be chosen
 * @param reason why none was chosen ({@code ""} when one was)
 */
public record MethodSelection(String method, String plugin, List<SettingResult> settings, int selected,
        String reason) {
    public MethodSelection {
        settings = List.copyOf(settings);
    }

    /** @return the chosen setting, if any */
    public Optional<SettingResult> choice() {
        return selected < 0 ? Optional.empty() : Optional.of(settings.get(selected));
    }

    /**
     * @param cells the sweep's cells, in plan order
     * @param results the finished trials by id
     * @param metric what to maximise
     * @return one selection per method, in file order
     */
    public static List<MethodSelection> select(List<SweepPlan.Cell> cells, Map<String, TrialResult> results,
            SelectionMetric metric) {
        List<MethodSelection> out = new ArrayList<>();
        int i = 0;
        while (i < cells.size()) {
            String method = cells.get(i).method();
            List<SettingResult> settings = new ArrayList<>();
            for (; i < cells.size() && cells.get(i).method().equals(method); i++) {
                SweepPlan.Cell c = cells.get(i);
                List<TrialResult> done = new ArrayList<>();
                for (Trial t : c.trials()) {
                    TrialResult r = results.get(t.id());
                    if (r != null) {
                        done.add(r);
                    }
                }
                settings.add(new SettingResult(c, done));
            }
            int best = -1;
            double bestScore = Double.NEGATIVE_INFINITY;
            boolean anyComplete = false;
            for (int s = 0; s < settings.size(); s++) {
                anyComplete |= settings.get(s).complete();
                Optional<dev.mlx.app.run.Restarts.Aggregate> v = settings.get(s).validation();
                if (v.isPresent() && metric.score(v.get()) > bestScore) {
                    best = s;
                    bestScore = metric.score(v.get());
                }
            }
            String reason = best >= 0 ? "" : !anyComplete ? "no setting finished on every seed"
                    : "the dataset gave no validation split, so nothing can be selected without the test set; give it "
                            + "one (e.g. datasetParams: {validation-fraction: 0.1})";
            out.add(new MethodSelection(method, settings.get(0).cell().plugin(), settings, best, reason));
        }
        return out;
    }

    /**
     * @param selections the sweep's selections
     * @throws MlxException (user error) when a method's trials all finished but no validation split
     *     exists to select on
     */
    static void requireValidation(List<MethodSelection> selections) {
        for (MethodSelection m : selections) {
            if (m.selected() < 0 && m.settings().stream().anyMatch(SettingResult::complete)) {
                throw MlxException.userError("sweep: " + m.method() + ": " + m.reason());
            }
        }
    }
}
