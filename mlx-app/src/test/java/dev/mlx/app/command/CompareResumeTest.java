package dev.mlx.app.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlx.app.plugin.PluginKind;
import dev.mlx.app.plugin.PluginRegistry;
import dev.mlx.app.testing.CliRun;
import dev.mlx.app.testing.TinyDecoyProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mlx compare --resume} takes over the methods an interrupted comparison finished with the
 * same settings, retrains the rest, and leaves one complete folder.
 */
class CompareResumeTest {
    private static final Consumer<PluginRegistry.Builder> TINY =
            b -> b.add(PluginKind.DATASET, new TinyDecoyProvider(), "test");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private Path out;
    private JsonNode first;

    @BeforeEach
    void completeComparisonThenPretendItWasKilledDuringRrr() throws Exception {
        out = tmp.resolve("cmp");
        CliRun r = compare(out, "erm,rrr");
        assertEquals(0, r.exitCode(), r::toString);
        first = JSON.readTree(out.resolve("comparison.json").toFile());
        // a killed run leaves its hidden staging folder, with the methods it had finished
        Files.move(out, tmp.resolve(".cmp.partial-123"));
        deleteTree(tmp.resolve(".cmp.partial-123").resolve("rrr"));
    }

    @Test
    void reusesFinishedMethodsAndRetrainsTheRest() throws Exception {
        CliRun r = compare(out, "erm,rrr", "--resume");
        assertEquals(0, r.exitCode(), r::toString);
        assertTrue(r.err().contains("erm: reusing the finished run"), r::toString);
        assertFalse(r.err().contains("rrr: reusing"), r::toString);
        JsonNode second = JSON.readTree(out.resolve("comparison.json").toFile());
        for (int i = 0; i < 2; i++) {
            JsonNode a = first.get("runs").get(i);
            JsonNode b = second.get("runs").get(i);
            assertEquals(a.get("method"), b.get("method"));
            // the same seed gives the same numbers, whether reused (erm) or retrained (rrr)
            assertEquals(a.get("avgGroupAccuracy"), b.get("avgGroupAccuracy"), a.get("method").asText());
            assertEquals(a.get("worstGroupAccuracy"), b.get("worstGroupAccuracy"), a.get("method").asText());
        }
        assertEquals(first.get("runs").get(0).get("wallSeconds"), second.get("runs").get(0).get("wallSeconds"),
                "a reused method keeps the times of the run that trained it");
        assertTrue(Files.readString(out.resolve("comparison.md")).contains("1 of 2 methods were taken over"));
        for (String f : new String[] {"config.json", "model.params", "report.json", "report.html"}) {
            assertTrue(Files.isRegularFile(out.resolve("erm").resolve(f)), f);
        }
        try (Stream<Path> left = Files.list(tmp)) {
            assertEquals(0, left.filter(p -> p.getFileName().toString().startsWith(".cmp.partial-")).count(),
                    "the leftover was taken over and removed");
        }
    }

    @Test
    void aSavedRunWithOtherSettingsIsTrainedAgain() throws Exception {
        Path config = tmp.resolve(".cmp.partial-123").resolve("erm").resolve("config.json");
        ObjectNode c = (ObjectNode) JSON.readTree(config.toFile());
        c.put("seed", 7);
        JSON.writeValue(config.toFile(), c);
        CliRun r = compare(out, "erm,rrr", "--resume");
        assertEquals(0, r.exitCode(), r::toString);
        assertFalse(r.err().contains("reusing"), r::toString);
    }

    @Test
    void withoutResumeTheLeftoverIsIgnoredAndKept() throws Exception {
        CliRun r = compare(out, "erm");
        assertEquals(0, r.exitCode(), r::toString);
        assertFalse(r.err().contains("reusing"), r::toString);
        assertTrue(Files.isDirectory(tmp.resolve(".cmp.partial-123")));
    }

    private CliRun compare(Path target, String methods, String... extra) {
        String[] base = {"compare", "--dataset", "tiny-decoy", "--methods", methods, "--epochs", "2", "--out",
            target.toString(), "--plugins-dir", tmp.resolve("none").toString()};
        String[] args = Stream.concat(Stream.of(base), Stream.of(extra)).toArray(String[]::new);
        return CliRun.of(TINY, args);
    }

    private static void deleteTree(Path root) throws Exception {
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
