package dev.mlx.app.command;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlx.app.plugin.PluginKind;
import dev.mlx.app.plugin.PluginRegistry;
import dev.mlx.app.run.RunFolder;
import dev.mlx.app.testing.CliRun;
import dev.mlx.app.testing.TinyDecoyProvider;
import dev.mlx.app.testing.TinyMain;
import dev.mlx.engine.train.TrainingCheckpoints;
import dev.mlx.engine.train.TrainingState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mlx train --resume}: a training process killed with SIGKILL in the middle of an epoch is
 * continued from the checkpoint of its last finished epoch, and the resumed run ends with weights,
 * metrics and test results identical to an uninterrupted run of the same seed.
 */
class ResumeAfterKillTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Consumer<PluginRegistry.Builder> TINY =
            b -> b.add(PluginKind.DATASET, new TinyDecoyProvider(), "test");

    @TempDir
    Path tmp;

    private List<String> trainArgs(Path out) {
        return List.of("train", "--plugins-dir", tmp.resolve("none").toString(), "--dataset", "tiny-decoy",
                "--dataset-param", "train-size=30000", "--model-param", "hidden=64", "--regularizer", "rrr",
                "--epochs", "3", "--batch-size", "25", "--seed", "5", "--cache-dir", tmp.resolve("cache").toString(),
                "--out", out.toString());
    }

    @Test
    void aRunKilledMidEpochResumesToTheUninterruptedResult() throws Exception {
        Path killed = tmp.resolve("killed");
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g",
                "-Dai.djl.offline=true", "-Dai.djl.pytorch.num_threads=1", "-Dai.djl.pytorch.num_interop_threads=1",
                "-DDJL_CACHE_DIR=" + System.getProperty("DJL_CACHE_DIR"),
                "-DENGINE_CACHE_DIR=" + System.getProperty("ENGINE_CACHE_DIR"),
                "-cp", System.getProperty("java.class.path"), TinyMain.class.getName()));
        command.addAll(trainArgs(killed));
        Process child = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(tmp.resolve("child.log").toFile()).start();
        Path checkpoint = null;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
        while (checkpoint == null && child.isAlive() && System.nanoTime() < deadline) {
            for (Path staging : RunFolder.leftovers(killed)) {
                Path file = staging.resolve(TrainCommand.CHECKPOINT_DIR).resolve("state.mlxc");
                if (Files.exists(file)) {
                    checkpoint = file;
                }
            }
            Thread.sleep(20);
        }
        assertTrue(checkpoint != null, () -> "no checkpoint appeared; child log:\n" + log());
        Thread.sleep(300); // into the second epoch
        child.destroyForcibly(); // SIGKILL: no shutdown hook, no finally block runs
        assertTrue(child.waitFor(30, TimeUnit.SECONDS));
        assertEquals(137, child.exitValue(), this::log);
        assertFalse(Files.exists(killed), "the killed run did not finish");
        TrainingState saved = TrainingCheckpoints.read(checkpoint);
        assertEquals(1, saved.epochsDone(), "killed during epoch 2, after the first checkpoint");

        CliRun resumed = CliRun.of(TINY, "--plugins-dir", tmp.resolve("none").toString(), "train", "--resume",
                killed.toString(), "--cache-dir", tmp.resolve("cache").toString());
        assertEquals(0, resumed.exitCode(), resumed::toString);
        List<String> epochLines = resumed.err().lines().filter(l -> l.startsWith("rrr") && l.contains("epoch")).toList();
        assertEquals(2, epochLines.size(), "only epochs 2 and 3 are trained again: " + resumed);
        assertTrue(epochLines.get(0).contains("epoch  2/3"), resumed::toString);
        assertTrue(RunFolder.leftovers(killed).isEmpty(), "the staging folder became the run folder");
        assertFalse(Files.exists(killed.resolve(TrainCommand.CHECKPOINT_DIR)), "the checkpoint is not left in the run");

        Path straight = tmp.resolve("straight");
        CliRun uninterrupted = CliRun.of(TINY, trainArgs(straight).toArray(String[]::new));
        assertEquals(0, uninterrupted.exitCode(), uninterrupted::toString);

        assertArrayEquals(Files.readAllBytes(straight.resolve("model.params")),
                Files.readAllBytes(killed.resolve("model.params")), "weights identical to the uninterrupted run");
        assertEquals(withoutTimes(straight), withoutTimes(killed), "per-epoch losses and accuracies identical");
        JsonNode a = JSON.readTree(straight.resolve("report.json").toFile()).get("results");
        JsonNode b = JSON.readTree(killed.resolve("report.json").toFile()).get("results");
        assertEquals(a.get("test"), b.get("test"));
        assertEquals(JSON.readTree(straight.resolve("config.json").toFile()),
                JSON.readTree(killed.resolve("config.json").toFile()));
    }

    @Test
    void resumeRefusesRunOptionsAndSaysWhenThereIsNothingToResume() {
        CliRun nothing = CliRun.of(TINY, "train", "--resume", tmp.resolve("never-ran").toString());
        assertEquals(2, nothing.exitCode(), nothing::toString);
        assertTrue(nothing.singleError().contains("no interrupted run of"), nothing::toString);
        CliRun mixed = CliRun.of(TINY, "train", "--resume", tmp.resolve("x").toString(), "--epochs", "4");
        assertEquals(2, mixed.exitCode(), mixed::toString);
        assertTrue(mixed.singleError().contains("drop training settings"), mixed::toString);
    }

    /** metrics.csv without the columns that measure time. */
    private static List<String> withoutTimes(Path run) throws Exception {
        List<String> lines = Files.readAllLines(run.resolve("metrics.csv"));
        String[] header = lines.get(0).split(",");
        List<String> kept = new ArrayList<>();
        for (String line : lines) {
            String[] cells = line.split(",");
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < cells.length; i++) {
                String h = header[i].toLowerCase(java.util.Locale.ROOT);
                if (!h.contains("second") && !h.contains("samples_per") && !h.contains("/s")) {
                    sb.append(cells[i]).append(',');
                }
            }
            kept.add(sb.toString());
        }
        return kept;
    }

    private String log() {
        try {
            return Files.readString(tmp.resolve("child.log"));
        } catch (java.io.IOException e) {
            return "(no log: " + e + ")";
        }
    }
}
