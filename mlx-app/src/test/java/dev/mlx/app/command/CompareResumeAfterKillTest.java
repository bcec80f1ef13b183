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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mlx compare --resume} continues a method that was killed (SIGKILL) in the middle of its
 * training from that method's last checkpoint, reuses the finished ones, and ends with the results of
 * an uninterrupted comparison.
 */
class CompareResumeAfterKillTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Consumer<PluginRegistry.Builder> TINY =
            b -> b.add(PluginKind.DATASET, new TinyDecoyProvider(), "test");

    @TempDir
    Path tmp;

    private List<String> compareArgs(Path out) {
        return List.of("--plugins-dir", tmp.resolve("none").toString(), "compare", "--dataset", "tiny-decoy",
                "--dataset-param", "train-size=40000", "--methods", "erm,rrr", "--epochs", "3",
                "--cache-dir", tmp.resolve("cache").toString(), "--out", out.toString());
    }

    @Test
    void aComparisonKilledInsideAMethodResumesThatMethodMidWay() throws Exception {
        Path killed = tmp.resolve("killed");
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g",
                "-Dai.djl.offline=true", "-Dai.djl.pytorch.num_threads=1", "-Dai.djl.pytorch.num_interop_threads=1",
                "-DDJL_CACHE_DIR=" + System.getProperty("DJL_CACHE_DIR"),
                "-DENGINE_CACHE_DIR=" + System.getProperty("ENGINE_CACHE_DIR"),
                "-cp", System.getProperty("java.class.path"), TinyMain.class.getName()));
        command.addAll(compareArgs(killed));
        Process child = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(tmp.resolve("child.log").toFile()).start();
        Path checkpoint = null;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
        while (checkpoint == null && child.isAlive() && System.nanoTime() < deadline) {
            for (Path staging : RunFolder.leftovers(killed)) {
                Path file = staging.resolve("rrr").resolve(TrainCommand.CHECKPOINT_DIR).resolve("state.mlxc");
                if (Files.exists(file)) {
                    checkpoint = file;
                }
            }
            Thread.sleep(20);
        }
        assertTrue(checkpoint != null, () -> "no rrr checkpoint appeared; child log:\n" + log());
        Thread.sleep(200);
        child.destroyForcibly();
        assertTrue(child.waitFor(30, TimeUnit.SECONDS));
        assertEquals(137, child.exitValue(), this::log);
        int done = TrainingCheckpoints.read(checkpoint).epochsDone();
        assertTrue(done >= 1 && done < 3, "killed inside rrr's training: " + done + " epochs done");
        assertFalse(Files.exists(killed));

        CliRun resumed = CliRun.of(TINY, withResume(compareArgs(killed)));
        assertEquals(0, resumed.exitCode(), resumed::toString);
        assertTrue(resumed.out().contains("1 of 2 methods were taken over"), resumed::toString);
        // rrr continued from its checkpoint: only the epochs after it were trained again
        List<String> rrrEpochs = resumed.err().lines().filter(l -> l.startsWith("rrr") && l.contains("epoch")).toList();
        assertEquals(3 - done, rrrEpochs.size(), resumed::toString);
        assertTrue(rrrEpochs.get(0).contains("epoch  " + (done + 1) + "/3"), resumed::toString);
        assertFalse(Files.exists(killed.resolve("rrr").resolve(TrainCommand.CHECKPOINT_DIR)));

        Path straight = tmp.resolve("straight");
        CliRun uninterrupted = CliRun.of(TINY, compareArgs(straight).toArray(String[]::new));
        assertEquals(0, uninterrupted.exitCode(), uninterrupted::toString);
        for (String method : List.of("erm", "rrr")) {
            assertArrayEquals(Files.readAllBytes(straight.resolve(method).resolve("model.params")),
                    Files.readAllBytes(killed.resolve(method).resolve("model.params")), method + " weights");
        }
        JsonNode a = withoutTimes(JSON.readTree(straight.resolve("comparison.json").toFile()).get("methods"));
        JsonNode b = withoutTimes(JSON.readTree(killed.resolve("comparison.json").toFile()).get("methods"));
        assertEquals(a, b, "the comparison's per-method results (times aside)");
    }

    private static JsonNode withoutTimes(JsonNode methods) {
        for (JsonNode m : methods) {
            for (JsonNode run : m.get("perSeed")) {
                ((com.fasterxml.jackson.databind.node.ObjectNode) run).remove(
                        List.of("wallSeconds", "secondsPerEpoch", "samplesPerSecond"));
            }
        }
        return methods;
    }

    private static String[] withResume(List<String> args) {
        List<String> all = new ArrayList<>(args);
        all.add("--resume");
        return all.toArray(String[]::new);
    }

    private String log() {
        try {
            return Files.readString(tmp.resolve("child.log"));
        } catch (java.io.IOException e) {
            return "(no log: " + e + ")";
        }
    }
}
