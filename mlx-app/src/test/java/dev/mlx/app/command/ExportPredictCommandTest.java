package dev.mlx.app.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mlx export} and {@code mlx predict} end to end on a Cert-R4 run that {@code mlx train}
 * wrote on the generated {@code tiny-decoy} data: the ONNX model, run by ONNX Runtime, reproduces
 * the run's reported test accuracy, Avg Acc and Wg Acc exactly (for the MLP, a CNN and ResNet-18); bad input
 * ends in one clear error.
 */
class ExportPredictCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Consumer<PluginRegistry.Builder> TINY =
            b -> b.add(PluginKind.DATASET, new TinyDecoyProvider(), "test");

    @TempDir
    static Path tmp;

    private static Path run;

    private static CliRun mlx(String... args) {
        List<String> all = new ArrayList<>(Arrays.asList(args));
        all.addAll(List.of("--plugins-dir", tmp.resolve("no-plugins").toString(),
                "--cache-dir", tmp.resolve("cache").toString()));
        return CliRun.of(TINY, all.toArray(String[]::new));
    }

    @BeforeAll
    static void train() {
        run = tmp.resolve("cert-r4");
        CliRun trained = mlx("train", "--dataset", "tiny-decoy", "--regularizer", "cert-r4", "--epochs", "3",
                "--batch-size", "50", "--lr", "0.01", "--model-param", "hidden=16", "--dataset-param", "test-size=300",
                "--seed", "4", "--out", run.toString());
        assertEquals(0, trained.exitCode(), trained::toString);
    }

    @Test
    void theExportedModelReproducesTheRunsReportedAccuracies() throws IOException {
        CliRun exported = mlx("export", run.toString());
        assertEquals(0, exported.exitCode(), exported::toString);
        Path onnx = run.resolve("model.onnx");
        assertTrue(Files.size(onnx) > 4 * (64 * 16 + 16 * 4), "the file holds the weights");
        assertTrue(exported.out().contains("to " + onnx), exported::toString);

        Path out = tmp.resolve("predict.json");
        CliRun predicted = mlx("predict", onnx.toString(), "--run", run.toString(), "--threads", "1", "--batch-size",
                "64", "-o", out.toString());
        assertEquals(0, predicted.exitCode(), predicted::toString);
        assertTrue(predicted.out().contains("with ONNX Runtime on CPU"), predicted::toString);
        assertTrue(predicted.out().contains("reproduced exactly"), predicted::toString);

        JsonNode results = JSON.readTree(run.resolve("report.json").toFile()).get("results");
        JsonNode json = JSON.readTree(out.toFile());
        JsonNode metrics = json.get("metrics");
        assertEquals(300, json.get("examples").asInt());
        assertEquals(results.get("testAccuracy").asDouble(), metrics.get("accuracy").asDouble(), 0);
        assertEquals(results.get("avgGroupAccuracy").asDouble(), metrics.get("avg-group-accuracy").asDouble(), 0);
        assertEquals(results.get("worstGroupAccuracy").asDouble(), metrics.get("worst-group-accuracy").asDouble(), 0);
        assertEquals(results.get("worstGroup").asInt(), metrics.get("worst-group").asInt());
        for (int g = 0; g < TinyDecoyProvider.CLASSES; g++) {
            assertEquals(results.get("groupAccuracy").get(g).asDouble(), metrics.get("group-" + g).asDouble(), 0);
        }
        assertTrue(json.get("reproducesReport").asBoolean());
        assertEquals("CPU", json.get("provider").asText());

        // the same model on data named on the command line: the same test set (same parameters and seed)
        CliRun named = mlx("predict", onnx.toString(), "--dataset", "tiny-decoy", "--dataset-param", "test-size=300",
                "--seed", "4", "--threads", "1");
        assertEquals(0, named.exitCode(), named::toString);
        assertTrue(named.out().contains("| accuracy | " + EvalCommand.format(results.get("testAccuracy").asDouble())
                + " |"), named::toString);
    }

    @Test
    void aCnnRunRoundTripsExactlyToo() throws IOException {
        // DermaNet small on 1x8x8: an even kernel with padding and a strided convolution whose output size is floored
        Path cnn = tmp.resolve("cnn");
        CliRun trained = mlx("train", "--dataset", "tiny-decoy", "--model", "derma-cnn", "--model-param", "size=small",
                "--regularizer", "rrr", "--epochs", "2", "--batch-size", "50", "--lr", "0.01", "--out", cnn.toString());
        assertEquals(0, trained.exitCode(), trained::toString);
        CliRun exported = mlx("export", cnn.toString());
        assertEquals(0, exported.exitCode(), exported::toString);
        assertTrue(exported.out().contains("Conv2d(1, 32, k=4, s=1, p=1)"), exported::toString);

        Path out = tmp.resolve("cnn-predict.json");
        CliRun predicted = mlx("predict", cnn.resolve("model.onnx").toString(), "--run", cnn.toString(), "--threads",
                "1", "-o", out.toString());
        assertEquals(0, predicted.exitCode(), predicted::toString);
        JsonNode json = JSON.readTree(out.toFile());
        JsonNode results = JSON.readTree(cnn.resolve("report.json").toFile()).get("results");
        assertEquals(results.get("testAccuracy").asDouble(), json.get("metrics").get("accuracy").asDouble(), 0);
        assertEquals(results.get("worstGroupAccuracy").asDouble(),
                json.get("metrics").get("worst-group-accuracy").asDouble(), 0);
        assertTrue(json.get("reproducesReport").asBoolean(), predicted::toString);
    }

    @Test
    void aResNet18RunWithTrainedBatchNormStatisticsRoundTripsExactly() throws IOException {
        // batchnorm-mode train: the training steps move the running statistics the export must carry
        Path resnet = tmp.resolve("resnet18");
        CliRun trained = mlx("train", "--dataset", "tiny-decoy", "--dataset-param", "train-size=20", "--dataset-param",
                "test-size=30", "--model", "resnet18", "--regularizer", "erm", "--epochs", "1", "--batch-size", "20",
                "--out", resnet.toString());
        assertEquals(0, trained.exitCode(), trained::toString);
        CliRun exported = mlx("export", resnet.toString());
        assertEquals(0, exported.exitCode(), exported::toString);
        Path out = tmp.resolve("resnet-predict.json");
        CliRun predicted = mlx("predict", resnet.resolve("model.onnx").toString(), "--run", resnet.toString(),
                "--threads", "1", "-o", out.toString());
        assertEquals(0, predicted.exitCode(), predicted::toString);
        JsonNode json = JSON.readTree(out.toFile());
        JsonNode results = JSON.readTree(resnet.resolve("report.json").toFile()).get("results");
        assertEquals(results.get("testAccuracy").asDouble(), json.get("metrics").get("accuracy").asDouble(), 0);
        assertTrue(json.get("reproducesReport").asBoolean(), predicted::toString);
    }

    @Test
    void exportWritesWhereToldAndRefusesWhatIsNotARun() {
        Path target = tmp.resolve("elsewhere/m.onnx");
        CliRun exported = mlx("export", run.toString(), "-o", target.toString());
        assertEquals(0, exported.exitCode(), exported::toString);
        assertTrue(Files.isRegularFile(target));

        CliRun missing = mlx("export", tmp.resolve("nope").toString());
        assertEquals(2, missing.exitCode(), missing::toString);
        assertTrue(missing.singleError().contains("run folder") && missing.singleError().contains("does not exist"),
                missing::toString);
    }

    @Test
    void predictRefusesAmbiguousMissingAndMalformedInput() throws IOException {
        Path onnx = tmp.resolve("for-errors.onnx");
        assertEquals(0, mlx("export", run.toString(), "-o", onnx.toString()).exitCode());

        CliRun noData = mlx("predict", onnx.toString());
        assertEquals(2, noData.exitCode(), noData::toString);
        assertTrue(noData.singleError().contains("--run <run folder>"), noData::toString);

        CliRun both = mlx("predict", onnx.toString(), "--run", run.toString(), "--dataset", "tiny-decoy");
        assertEquals(2, both.exitCode(), both::toString);
        assertTrue(both.singleError().contains("drop --dataset"), both::toString);

        CliRun split = mlx("predict", onnx.toString(), "--run", run.toString(), "--split", "dev");
        assertEquals(2, split.exitCode(), split::toString);
        assertTrue(split.singleError().contains("--split dev is not a split; use test, train or validation"),
                split::toString);
        CliRun noValidation = mlx("predict", onnx.toString(), "--run", run.toString(), "--split", "validation");
        assertEquals(2, noValidation.exitCode(), noValidation::toString);
        assertTrue(noValidation.singleError().contains("tiny-decoy has no validation split"),
                noValidation::toString);

        Path garbage = Files.writeString(tmp.resolve("garbage.onnx"), "not a model");
        CliRun malformed = mlx("predict", garbage.toString(), "--run", run.toString());
        assertEquals(2, malformed.exitCode(), malformed::toString);
        assertTrue(malformed.singleError().contains("is not an ONNX model"), malformed::toString);

        CliRun unknown = mlx("predict", onnx.toString(), "--dataset", "no-such-data");
        assertEquals(2, unknown.exitCode(), unknown::toString);
        assertTrue(unknown.singleError().contains("no-such-data"), unknown::toString);
    }
}
