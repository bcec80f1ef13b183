package dev.mlx.app.sweep;

import dev.mlx.api.metric.GroupAccuracy;
import dev.mlx.app.ablate.TrialResult;
import dev.mlx.app.run.Restarts;
import java.util.List;
import java.util.Optional;

/**
 * One setting of one method and the trials of it that finished.
 *
 * @param cell the setting and its planned trials (one per seed)
 * @param results the finished trials, in seed order (fewer than planned when some failed)
 */
public record SettingResult(SweepPlan.Cell cell, List<TrialResult> results) {
    public SettingResult {
        results = List.copyOf(results);
    }

    /** @return true when every seed of the setting finished */
    public boolean complete() {
        return results.size() == cell.trials().size();
    }

    /** @return the seeds' validation aggregate (§8.1), when every seed finished and has a validation split */
    public Optional<Restarts.Aggregate> validation() {
        if (!complete() || results.stream().anyMatch(r -> r.validation().isEmpty())) {
            return Optional.empty();
        }
        return Optional.of(Restarts.Aggregate.of(results.stream().map(r -> r.validation().orElseThrow()).toList()));
    }

    /** @return the seeds' test aggregate (§8.1), when every seed finished */
    public Optional<Restarts.Aggregate> test() {
        if (!complete()) {
            return Optional.empty();
        }
        return Optional.of(Restarts.Aggregate.of(results.stream().map(TrialResult::test).toList()));
    }

    /** @return each finished seed's test group accuracy, in seed order */
    public List<GroupAccuracy> perSeedTest() {
        return results.stream().map(TrialResult::test).toList();
    }
}
