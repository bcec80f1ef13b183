package dev.mlx.app.ablate;

import dev.mlx.api.metric.GroupAccuracy;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One grid cell of an ablation, over its seeds, with the R4 paper's metrics (reference
 * specification §8.1): Avg Acc and Wg Acc of the restart-averaged group accuracies
 * ({@link GroupAccuracy#restartAverage}), their standard deviations over the seeds, and the mean
 * plain test accuracy, and the mean over seeds of the certified fragility ({@link TrialFragility}):
 * {@code kappa_m} and the ratio {@code kappa_m / kappa_core}, over the seeds where it was measured
 * (NaN if none).
 *
 * @param coordinates the grid position (method and axis values)
 * @param seeds number of seeds (restarts) averaged
 * @param averageGroupAccuracy Avg Acc
 * @param worstGroupAccuracy Wg Acc
 * @param worstGroup the group attaining Wg Acc
 * @param averageStd std over seeds of each run's Avg Acc
 * @param worstStd std over seeds of each run's accuracy on the worst group
 * @param testAccuracy mean test accuracy over seeds
 * @param trainSize training examples (of the first seed) after the transform
 * @param kappaMasked mean {@code kappa_m} over the seeds with a measured fragility
 * @param fragilityRatio mean {@code kappa_m / kappa_core} over the seeds with a measured fragility
 */
public record AblationCell(Map<String, String> coordinates, int seeds, double averageGroupAccuracy,
        double worstGroupAccuracy, int worstGroup, double averageStd, double worstStd, double testAccuracy,
        int trainSize, double kappaMasked, double fragilityRatio) {

    /**
     * @param results trial results in plan order
     * @return the cells in plan order, each averaging the seeds of one grid position
     */
    static List<AblationCell> of(List<TrialResult> results) {
        Map<String, List<TrialResult>> byCell = new LinkedHashMap<>();
        for (TrialResult r : results) {
            byCell.computeIfAbsent(r.trial().cellKey(), k -> new ArrayList<>()).add(r);
        }
        List<AblationCell> cells = new ArrayList<>();
        for (List<TrialResult> rs : byCell.values()) {
            GroupAccuracy.Summary s = GroupAccuracy.restartAverage(rs.stream().map(TrialResult::test).toList());
            double acc = rs.stream().mapToDouble(r -> r.test().accuracy()).average().orElse(Double.NaN);
            List<TrialFragility> measured = rs.stream().map(TrialResult::fragility).filter(f -> f != null).toList();
            double kappa = measured.stream().mapToDouble(TrialFragility::kappaMasked).average().orElse(Double.NaN);
            double ratio = measured.stream().mapToDouble(TrialFragility::ratio).average().orElse(Double.NaN);
            cells.add(new AblationCell(rs.get(0).trial().coordinates(), rs.size(), s.averageGroupAccuracy(),
                    s.worstGroupAccuracy(), s.worstGroup(), s.averageStd(), s.worstStd(), acc, rs.get(0).trainSize(),
                    kappa, ratio));
        }
        return cells;
    }
}
