package dev.mlx.app.command;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlx.api.error.MlxException;
import dev.mlx.api.metric.Metric;
import dev.mlx.api.metric.MetricProvider;
import dev.mlx.api.param.HyperParameters;
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
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mlx eval} end to end on runs that {@code mlx train} wrote on the generated {@code tiny-decoy}
 * data: it rebuilds the data and the network, reproduces the run's own test accuracies, computes the
 * certified fragility, writes {@code eval.json} atomically, and refuses bad input with exit code 2.
 */
class EvalCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Consumer<PluginRegistry.Builder> TINY =
            b -> b.add(PluginKind.DATASET, new TinyDecoyProvider(), "test");

    @TempDir
    static Path tmp;

    private static Path erm;
    private static Path cert;

    private static CliRun mlx(Consumer<PluginRegistry.Builder> extra, String... args) {
        List<String> all = new ArrayList<>(Arrays.asList(args));
        all.addAll(List.of("--plugins-dir", tmp.resolve("no-plugins").toString(),
                "--cache-dir", tmp.resolve("cache").toString()));
        return CliRun.of(extra, all.toArray(String[]::new));
    }

    private static CliRun mlx(String... args) {
        return mlx(TINY, args);
    }

    @BeforeAll
    static void train() {
        erm = tmp.resolve("erm");
        cert = tmp.resolve("cert-r4");
        for (Path run : List.of(erm, cert)) {
            CliRun trained = mlx("train", "--dataset", "tiny-decoy", "--regularizer", run.getFileName().toString(),
                    "--epochs", "4", "--batch-size", "50", "--lr", "0.01", "--model-param", "hidden=16",
                    "--out", run.toString());
            assertEquals(0, trained.exitCode(), trained::toString);
        }
    }

    private static JsonNode read(Path file) throws IOException {
        return JSON.readTree(file.toFile());
    }

    private static List<String> files(Path folder) throws IOException {
        try (Stream<Path> s = Files.list(folder)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /** A copy of the files {@code train} wrote into a run folder (no eval.json), to damage. */
    private static Path copy(Path run, String name) throws IOException {
        Path target = Files.createDirectories(tmp.resolve(name));
        for (String f : List.of("config.json", "metrics.csv", "model.params", "report.json", "report.md")) {
            Files.copy(run.resolve(f), target.resolve(f));
        }
        return target;
    }

    @Test
    void evalReproducesTheRunsAccuraciesAndWritesEvalJson() throws IOException {
        CliRun result = mlx("eval", "--run", erm.toString());

        assertEquals(0, result.exitCode(), result::toString);
        assertTrue(result.errorLines().isEmpty(), result::toString);
        for (String row : List.of("| group-accuracy | avg-group-accuracy |", "| group-accuracy | worst-group-accuracy |",
                "| fragility | kappa-m |", "| fragility | kappa-core |", "| fragility | ratio |")) {
            assertTrue(result.out().contains(row), () -> "no row '" + row + "' in\n" + result.out());
        }
        assertEquals(List.of("config.json", "eval.json", "metrics.csv", "mlx.log", "model.params", "report.html", "report.json", "report.md"),
                files(erm), "eval.json is added and no temporary file is left");

        JsonNode eval = read(erm.resolve("eval.json"));
        JsonNode results = read(erm.resolve("report.json")).get("results");
        JsonNode group = eval.get("metrics").get("group-accuracy").get("values");
        // Same data (rebuilt from config.json and the seed), same weights: the run's own numbers, exactly.
        assertEquals(results.get("avgGroupAccuracy").asDouble(), group.get("avg-group-accuracy").asDouble(), 0);
        assertEquals(results.get("worstGroupAccuracy").asDouble(), group.get("worst-group-accuracy").asDouble(), 0);
        assertEquals(results.get("testAccuracy").asDouble(), group.get("accuracy").asDouble(), 0);
        assertEquals(results.get("worstGroup").asInt(), group.get("worst-group").asInt());
        for (int g = 0; g < TinyDecoyProvider.CLASSES; g++) {
            assertEquals(results.get("groupAccuracy").get(g).asDouble(), group.get("group-" + g).asDouble(), 0);
        }

        JsonNode fragility = eval.get("metrics").get("fragility");
        assertEquals("0.1", fragility.get("params").get("epsilon").asText(), "Decoy-MNIST's test_epsilon by default");
        JsonNode kappa = fragility.get("values");
        assertTrue(kappa.get("kappa-m").asDouble() > 0 && kappa.get("kappa-core").asDouble() > 0, kappa::toString);
        assertEquals(kappa.get("kappa-m").asDouble() / kappa.get("kappa-core").asDouble(),
                kappa.get("ratio").asDouble(), 1e-12);
        assertTrue(kappa.get("kappa-m-mean").asDouble() <= kappa.get("kappa-m").asDouble());

        assertEquals("test", eval.get("split").asText());
        assertEquals(200, eval.get("examples").asInt());
        assertEquals(50, eval.get("batchSize").asInt(), "the run's batch size by default");
        JsonNode prov = eval.get("provenance");
        assertEquals(read(erm.resolve("report.json")).get("provenance").get("datasetChecksum"),
                prov.get("datasetChecksum"));
        assertEquals("dev.mlx.engine.eval.FragilityMetricProvider",
                prov.get("plugins").get("metrics").get("fragility").get("class").asText());
        assertEquals(read(erm.resolve("config.json")), eval.get("config"));
    }

    @Test
    void certR4IsLessFragileOnTheMaskThanErm() throws IOException {
        // The point of Cert-R4: the certified gradient width on the masked (decoy) box, relative to the core box,
        // is lower than ERM's (the paper's Table 2: 0.024 against 1.497 on Decoy-MNIST).
        Path ermOut = tmp.resolve("erm-fragility.json");
        Path certOut = tmp.resolve("cert-fragility.json");
        assertEquals(0, mlx("eval", "--run", erm.toString(), "--metrics", "fragility", "--out", ermOut.toString())
                .exitCode());
        assertEquals(0, mlx("eval", "--run", cert.toString(), "--metrics", "fragility", "--out", certOut.toString())
                .exitCode());
        double ermRatio = read(ermOut).get("metrics").get("fragility").get("values").get("ratio").asDouble();
        double certRatio = read(certOut).get("metrics").get("fragility").get("values").get("ratio").asDouble();
        assertTrue(certRatio < ermRatio / 2, "cert-r4 " + certRatio + " vs erm " + ermRatio);
    }

    @Test
    void metricParametersSplitAndOutputAreHonoured() throws IOException {
        Path out = tmp.resolve("reports").resolve("train-eval.json");
        CliRun result = mlx("eval", "--run", cert.toString(), "--metrics", "empirical-fragility,fragility",
                "--split", "train", "-P", "epsilon=0.2", "-P", "empirical-fragility.samples=2", "--batch-size", "64",
                "--out", out.toString());

        assertEquals(0, result.exitCode(), result::toString);
        JsonNode eval = read(out);
        assertEquals("train", eval.get("split").asText());
        assertEquals(400, eval.get("examples").asInt());
        assertEquals(64, eval.get("batchSize").asInt());
        assertEquals(List.of("empirical-fragility", "fragility"), names(eval.get("metrics")), "in the order asked");
        JsonNode sampled = eval.get("metrics").get("empirical-fragility");
        JsonNode certified = eval.get("metrics").get("fragility");
        assertEquals("0.2", sampled.get("params").get("epsilon").asText(), "a plain key goes to every metric with it");
        assertEquals("0.2", certified.get("params").get("epsilon").asText());
        assertEquals("2", sampled.get("params").get("samples").asText());
        assertTrue(sampled.get("values").get("delta-m").asDouble() <= certified.get("values").get("kappa-m").asDouble(),
                "a sampled change never exceeds the certified width: " + eval.get("metrics"));
        assertTrue(sampled.get("values").get("delta-m").asDouble() > 0);
    }

    @Test
    void aFailedEvaluationLeavesThePreviousEvalJsonUntouched() throws IOException {
        Path run = copy(erm, "keep-eval");
        assertEquals(0, mlx("eval", "--run", run.toString(), "--metrics", "group-accuracy").exitCode());
        byte[] before = Files.readAllBytes(run.resolve("eval.json"));
        Consumer<PluginRegistry.Builder> withBoom = TINY.andThen(b -> b.add(PluginKind.METRIC, new Boom(), "test"));

        CliRun failed = mlx(withBoom, "eval", "--run", run.toString(), "--metrics", "group-accuracy,boom");

        assertEquals(2, failed.exitCode(), failed::toString);
        assertTrue(failed.singleError().contains("boom after the first metric"), failed::toString);
        assertArrayEquals(before, Files.readAllBytes(run.resolve("eval.json")), "the old results are kept whole");
        List<String> left = files(run);
        assertFalse(left.stream().anyMatch(f -> f.endsWith(".tmp")), () -> "temporary files left: " + left);
    }

    /** A metric that fails, to check nothing is half-written. */
    static final class Boom implements MetricProvider {
        @Override
        public String name() {
            return "boom";
        }

        @Override
        public String description() {
            return "fails";
        }

        @Override
        public Metric create(HyperParameters params) {
            return (model, split, context) -> {
                throw MlxException.userError("boom after the first metric");
            };
        }
    }

    // ---------------------------------------------------------------- bad input: exit 2, one message, no eval.json

    private static String userError(Path run, CliRun result) throws IOException {
        assertEquals(2, result.exitCode(), result::toString);
        String message = result.singleError();
        if (Files.isDirectory(run)) {
            List<String> left = files(run);
            assertFalse(left.contains("eval.json"), "no eval.json after a failure");
            assertFalse(left.stream().anyMatch(f -> f.endsWith(".tmp")), () -> "temporary files: " + left);
        }
        return message;
    }

    @Test
    void aMissingRunFolderIsAUserError() throws IOException {
        Path missing = tmp.resolve("no-such-run");
        String m = userError(missing, mlx("eval", "--run", missing.toString()));
        assertTrue(m.contains("no-such-run") && m.contains("does not exist"), m);
    }

    @Test
    void aFolderWithoutConfigIsNotARunFolder() throws IOException {
        Path folder = Files.createDirectories(tmp.resolve("not-a-run"));
        String m = userError(folder, mlx("eval", "--run", folder.toString()));
        assertTrue(m.contains("config.json"), m);
    }

    @Test
    void missingWeightsAreAUserError() throws IOException {
        Path run = copy(erm, "no-weights");
        Files.delete(run.resolve("model.params"));
        String m = userError(run, mlx("eval", "--run", run.toString()));
        assertTrue(m.contains("model.params") && m.contains("does not exist"), m);
    }

    @Test
    void truncatedWeightsAreAUserError() throws IOException {
        Path run = copy(erm, "truncated-weights");
        byte[] bytes = Files.readAllBytes(run.resolve("model.params"));
        Files.write(run.resolve("model.params"), Arrays.copyOf(bytes, bytes.length / 2));
        String m = userError(run, mlx("eval", "--run", run.toString()));
        assertTrue(m.contains("truncated"), m);
    }

    @Test
    void weightsOfAnotherArchitectureAreAUserError() throws IOException {
        Path run = copy(erm, "other-architecture");
        ObjectNode config = (ObjectNode) read(run.resolve("config.json"));
        ((ObjectNode) config.get("modelParams")).put("hidden", "8");
        JSON.writeValue(run.resolve("config.json").toFile(), config);
        String m = userError(run, mlx("eval", "--run", run.toString()));
        assertTrue(m.contains("does not match this architecture") || m.contains("does not match the model"), m);
    }

    @Test
    void changedDataIsDetectedByTheChecksum() throws IOException {
        Path run = copy(erm, "other-data");
        ObjectNode config = (ObjectNode) read(run.resolve("config.json"));
        ((ObjectNode) config.get("datasetParams")).put("test-size", "100");
        JSON.writeValue(run.resolve("config.json").toFile(), config);
        String m = userError(run, mlx("eval", "--run", run.toString()));
        assertTrue(m.contains("checksum"), m);
    }

    @Test
    void anUnknownMetricListsTheKnownOnes() throws IOException {
        Path run = copy(erm, "unknown-metric");
        String m = userError(run, mlx("eval", "--run", run.toString(), "--metrics", "group-accuracy,kappa"));
        assertTrue(m.contains("unknown metric 'kappa'"), m);
        for (String known : new String[] {"empirical-fragility", "fragility", "group-accuracy", "localisation"}) {
            assertTrue(m.contains(known), m);
        }
    }

    @Test
    void theValidationSplitReproducesTheRunsValidationNumbers() throws IOException {
        Path run = tmp.resolve("erm-validation");
        CliRun trained = mlx("train", "--dataset", "tiny-decoy", "--dataset-param", "validation-size=60", "--epochs",
                "2", "--batch-size", "50", "--lr", "0.01", "--model-param", "hidden=16", "--out", run.toString());
        assertEquals(0, trained.exitCode(), trained::toString);
        CliRun result = mlx("eval", "--run", run.toString(), "--metrics", "group-accuracy", "--split", "validation");
        assertEquals(0, result.exitCode(), result::toString);
        JsonNode eval = read(run.resolve("eval.json"));
        assertEquals("validation", eval.get("split").asText());
        assertEquals(60, eval.get("examples").asInt());
        JsonNode validation = read(run.resolve("report.json")).get("results").get("validation");
        JsonNode group = eval.get("metrics").get("group-accuracy").get("values");
        assertEquals(validation.get("avgGroupAccuracy").asDouble(), group.get("avg-group-accuracy").asDouble(), 0);
        assertEquals(validation.get("worstGroupAccuracy").asDouble(), group.get("worst-group-accuracy").asDouble(), 0);
    }

    @Test
    void badMetricParametersAreUserErrors() throws IOException {
        Path run = copy(erm, "bad-params");
        String unknown = userError(run, mlx("eval", "--run", run.toString(), "-P", "radius=0.1"));
        assertTrue(unknown.contains("'radius'") && unknown.contains("fragility: epsilon"), unknown);
        String notSelected = userError(run, mlx("eval", "--run", run.toString(), "--metrics", "fragility",
                "-P", "empirical-fragility.samples=3"));
        assertTrue(notSelected.contains("not selected"), notSelected);
        String badValue = userError(run, mlx("eval", "--run", run.toString(), "-P", "fragility.epsilon=-1"));
        assertTrue(badValue.contains("epsilon") && badValue.contains("out of range"), badValue);
        String badSplit = userError(run, mlx("eval", "--run", run.toString(), "--split", "validation"));
        assertTrue(badSplit.contains("has no validation split"), badSplit);
    }

    private static List<String> names(JsonNode object) {
        List<String> names = new ArrayList<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
