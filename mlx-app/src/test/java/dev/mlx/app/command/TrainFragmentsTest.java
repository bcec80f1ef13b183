package dev.mlx.app.command;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlx.app.plugin.PluginKind;
import dev.mlx.app.plugin.PluginRegistry;
import dev.mlx.app.testing.CliRun;
import dev.mlx.app.testing.TinyDecoyProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mlx train --fragments}: written to and read back from {@code config.json}, shown in the
 * help, refused with one readable message when out of range.
 */
class TrainFragmentsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Consumer<PluginRegistry.Builder> TINY =
            b -> b.add(PluginKind.DATASET, new TinyDecoyProvider(), "test");

    @TempDir
    Path tmp;

    private CliRun mlx(String... args) {
        List<String> all = new ArrayList<>(Arrays.asList(args));
        all.addAll(List.of("--plugins-dir", tmp.resolve("no-plugins").toString(),
                "--cache-dir", tmp.resolve("cache").toString()));
        return CliRun.of(TINY, all.toArray(String[]::new));
    }

    @Test
    void fragmentsRoundTripThroughConfigJson() throws IOException {
        Path run = tmp.resolve("run");
        CliRun first = mlx("train", "--dataset", "tiny-decoy", "--dataset-param", "train-size=100",
                "--dataset-param", "test-size=40", "--regularizer", "rrr", "--epochs", "1", "--batch-size", "50",
                "--fragments", "2", "--out", run.toString());
        assertEquals(0, first.exitCode(), first::toString);
        assertEquals(2, JSON.readTree(run.resolve("config.json").toFile()).get("fragments").asInt());
        assertEquals(2, JSON.readTree(run.resolve("report.json").toFile()).get("config").get("fragments").asInt());

        Path again = tmp.resolve("again");
        CliRun second = mlx("train", "--config", run.resolve("config.json").toString(), "--out", again.toString());
        assertEquals(0, second.exitCode(), second::toString);
        assertEquals(JSON.readTree(run.resolve("config.json").toFile()),
                JSON.readTree(again.resolve("config.json").toFile()));
        assertArrayEquals(Files.readAllBytes(run.resolve("model.params")),
                Files.readAllBytes(again.resolve("model.params")), "the same fragments give the same weights");

        // a config.json written before fragments existed means 1
        ObjectNode old = (ObjectNode) JSON.readTree(run.resolve("config.json").toFile());
        old.remove("fragments");
        Path oldConfig = tmp.resolve("old.json");
        JSON.writeValue(oldConfig.toFile(), old);
        Path third = tmp.resolve("third");
        CliRun fromOld = mlx("train", "--config", oldConfig.toString(), "--out", third.toString());
        assertEquals(0, fromOld.exitCode(), fromOld::toString);
        assertEquals(1, JSON.readTree(third.resolve("config.json").toFile()).get("fragments").asInt());
    }

    @Test
    void outOfRangeFragmentsAreRefusedBeforeLoading() {
        CliRun tooMany = mlx("train", "--dataset", "tiny-decoy", "--batch-size", "8", "--fragments", "9", "--out",
                tmp.resolve("x").toString());
        assertEquals(2, tooMany.exitCode(), tooMany::toString);
        assertTrue(tooMany.singleError().contains("fragments (9) must not exceed the batch size (8)"),
                tooMany::toString);
        CliRun zero = mlx("train", "--dataset", "tiny-decoy", "--fragments", "0", "--out", tmp.resolve("y").toString());
        assertEquals(2, zero.exitCode(), zero::toString);
        assertTrue(zero.singleError().contains("fragments must be >= 1"), zero::toString);
        assertTrue(!Files.exists(tmp.resolve("x")) && !Files.exists(tmp.resolve("y")), "no run folder was created");
    }

    @Test
    void theHelpDescribesFragments() {
        CliRun train = CliRun.of("train", "--help");
        assertTrue(train.out().contains("--fragments") && train.out().contains("Gradient accumulation"), train::toString);
        CliRun demo = CliRun.of("demo", "--help");
        assertTrue(demo.out().contains("--profile") && demo.out().contains("--fragments"), demo::toString);
    }
}
