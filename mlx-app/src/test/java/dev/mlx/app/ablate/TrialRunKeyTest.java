package dev.mlx.app.ablate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What {@code mlx sweep --reuse} treats as the same run ({@link TrialScheduler#runOf}): the id
 * and coordinates do not count, numbers written differently are the same setting, and any other
 * difference makes a different run.
 */
class TrialRunKeyTest {
    private static Trial trial(String id, Map<String, String> coordinates, Map<String, String> params, double lr,
            long seed) {
        return new Trial(id, coordinates, "decoy-mnist", Map.of(), "mlp", Map.of(), "rand-r4", params, 30, 1000, lr,
                0.0, seed, TrainingSetTransform.none());
    }

    @Test
    void idCoordinatesAndTheSpellingOfNumbersDoNotMatter() {
        Trial searched = trial("method=rand-r4_lambda=50_epsilon=5.0_seed=1", Map.of("method", "rand-r4", "lambda",
                "50", "epsilon", "5.0"), Map.of("lambda", "50", "epsilon", "5.0"), 0.001, 1);
        Trial defaults = trial("method=rand-r4_seed=1", Map.of("method", "rand-r4"), Map.of("lambda", "50.0",
                "epsilon", "5"), 1e-3, 1);
        assertEquals(TrialScheduler.runOf(searched), TrialScheduler.runOf(defaults));
    }

    @Test
    void anyOtherDifferenceIsAnotherRun() {
        Trial a = trial("a", Map.of(), Map.of("lambda", "50", "noise", "symmetric"), 0.001, 1);
        assertNotEquals(TrialScheduler.runOf(a), TrialScheduler.runOf(trial("a", Map.of(),
                Map.of("lambda", "51", "noise", "symmetric"), 0.001, 1)));
        assertNotEquals(TrialScheduler.runOf(a), TrialScheduler.runOf(trial("a", Map.of(),
                Map.of("lambda", "50", "noise", "one-sided"), 0.001, 1)));
        assertNotEquals(TrialScheduler.runOf(a), TrialScheduler.runOf(trial("a", Map.of(),
                Map.of("lambda", "50", "noise", "symmetric"), 0.002, 1)));
        assertNotEquals(TrialScheduler.runOf(a), TrialScheduler.runOf(trial("a", Map.of(),
                Map.of("lambda", "50", "noise", "symmetric"), 0.001, 2)));
        assertNotEquals(TrialScheduler.runOf(a), TrialScheduler.runOf(trial("a", Map.of(), Map.of("lambda", "50"),
                0.001, 1)), "a parameter left to its default is not assumed equal to a written one");
    }
}
