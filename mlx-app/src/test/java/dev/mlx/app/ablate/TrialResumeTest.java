package dev.mlx.app.ablate;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An incomplete trial folder continues from its checkpoint only when it holds the same trial. */
class TrialResumeTest {
    @TempDir
    Path tmp;

    private static Trial trial(long seed) {
        return new Trial(Trial.idOf(Map.of("fraction", "0.5"), seed), Map.of("fraction", "0.5"), "tiny-decoy", Map.of(),
                "mlp", Map.of(), "rrr", Map.of("lambda", "10"), 3, 50, 1e-3, 0, seed, TrainingSetTransform.none());
    }

    @Test
    void onlyTheSameTrialWithACheckpointResumes() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("t"));
        TrialRunner.writeAtomically(dir.resolve(TrialRunner.TRIAL_FILE), trial(1));
        assertFalse(TrialRunner.resumable(dir, trial(1)), "no checkpoint yet");
        Path checkpoint = Files.createDirectories(dir.resolve(TrialRunner.CHECKPOINT_DIR)).resolve("state.mlxc");
        Files.write(checkpoint, new byte[] {1});
        assertTrue(TrialRunner.resumable(dir, trial(1)));
        assertFalse(TrialRunner.resumable(dir, trial(2)), "another trial's checkpoint is not taken over");
        Files.delete(dir.resolve(TrialRunner.TRIAL_FILE));
        assertFalse(TrialRunner.resumable(dir, trial(1)), "no trial file");
    }
}
