package dev.mlx.app.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlx.app.ablate.TrialRunner;
import dev.mlx.app.testing.CliRun;
import dev.mlx.app.testing.PluginJars;
import dev.mlx.app.testing.TinyDermaNpz;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * A small real sweep end to end: 2 methods (ERM, RRR with a 2-value lambda grid) x 2 seeds on a
 * generated 1,000-image Decoy-DERM file, 1 epoch, every trial its own process. On the local
 * executor: the report, the JSON fields, validation-based selection, resume after a lost result.
 * On a real single-node Slurm cluster (started by {@code .ci/slurm-local} in {@code run-tests}):
 * the same sweep gives the same results to the digit, and a task Slurm cancels is reported failed
 * with its Slurm log.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SweepEndToEndTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path tmp;

    private static Path sweepFile;
    private static Path local;
    private static CliRun first;

    static CliRun sweep(Path out, String... extra) {
        List<String> args = new ArrayList<>(List.of("--cache-dir", tmp.resolve("cache").toString(), "--plugins-dir",
                tmp.resolve("none").toString(), "sweep", sweepFile.toString(), "-o", out.toString(), "--threads", "1",
                "--trial-heap", "512m"));
        args.addAll(List.of(extra));
        return CliRun.of(args.toArray(String[]::new));
    }

    @BeforeAll
    static void runLocally() throws IOException {
        Path data = Files.createDirectories(tmp.resolve("derm"));
        TinyDermaNpz.write(data, 1000, 16, 1);
        sweepFile = tmp.resolve("tiny.yaml");
        Files.writeString(sweepFile, String.join("\n",
                "dataset: decoy-derm",
                "datasetParams: {dir: " + data + "}",
                "model: mlp",
                "modelParams: {hidden: 8}",
                "seeds: [0, 1]",
                "training: {epochs: 1, batch-size: 100}",
                "methods:",
                "  erm: {}",
                "  rrr:",
                "    lambda: [1, 100]",
                ""));
        local = tmp.resolve("local");
        first = sweep(local);
        assertEquals(0, first.exitCode(), first::toString);
    }

    @Test
    @Order(1)
    void writesTheSelectedSettingsAsMeanAndStdOverSeeds() throws IOException {
        JsonNode json = JSON.readTree(local.resolve("sweep.json").toFile());
        assertEquals(6, json.get("trials").asInt());
        assertEquals("val-wg", json.get("selection").asText());
        JsonNode byName = json.get("methods");
        assertEquals(List.of("erm", "rrr"), iterable(byName.fieldNames()), "methods maps each method to its results");
        List<JsonNode> methods = List.of(byName.get("erm"), byName.get("rrr"));
        JsonNode provenance = json.get("provenance");
        for (String f : List.of("date", "commit", "cpus", "os", "mlxVersion")) {
            assertNotNull(provenance.get(f), f + " in " + provenance);
        }
        for (JsonNode m : methods) {
            assertNotNull(m.get("selected"), m.toString());
            assertEquals("[0,1]", m.get("seeds").toString(), "the seeds of the selected setting");
            JsonNode used = m.get("settingsUsed");
            assertEquals(1, used.get("epochs").asInt());
            assertEquals(100, used.get("batchSize").asInt());
            assertTrue(used.get("learningRate").isNumber() && used.get("regularizerParams").isObject(), used.toString());
            for (String f : List.of("avgMean", "avgStd", "wgMean", "wgStd")) {
                assertTrue(m.get(f).isNumber(), f + " in " + m);
            }
            assertEquals(2, m.get("perSeed").size());
            double meanAvg = (m.get("perSeed").get(0).get("avg").asDouble() + m.get("perSeed").get(1).get("avg")
                    .asDouble()) / 2;
            assertEquals(meanAvg, m.get("avgMean").asDouble(), 1e-12, "Avg Acc is the mean over seeds");
        }
        // selection is the best validation Wg among the settings, never a test number
        JsonNode rrr = methods.get(1);
        assertEquals("{\"lambda\":\"" + rrr.get("selected").get("lambda").asText() + "\"}",
                rrr.get("settingsUsed").get("regularizerParams").toString(), "the settings used are the selected ones");
        assertEquals("rrr", rrr.get("method").asText());
        JsonNode settings = rrr.get("settings");
        assertEquals(2, settings.size());
        int best = settings.get(0).get("validation").get("wgMean").asDouble()
                >= settings.get(1).get("validation").get("wgMean").asDouble() ? 0 : 1;
        assertEquals(settings.get(best).get("setting"), rrr.get("selected"));
        assertEquals(settings.get(best).get("test").get("wgMean").asDouble(), rrr.get("wgMean").asDouble(), 0);

        String md = Files.readString(local.resolve("sweep.md"));
        assertTrue(md.contains("| rrr | lambda="), md);
        assertTrue(md.contains(" ± "), "mean ± std with two seeds: " + md);
        String html = Files.readString(local.resolve("report.html"));
        assertTrue(html.contains("data:image/png;base64,") && html.contains("Selected settings"), "html with a plot");
        assertTrue(Files.size(local.resolve("sweep.png")) > 1000);
        String svg = Files.readString(local.resolve("sweep.svg"));
        assertTrue(svg.startsWith("<?xml") && svg.contains("<svg"), "the chart as SVG");

        // the selected settings to paste: a CSV row per method with mean and std columns, booktabs LaTeX with ±
        List<String> csv = Files.readAllLines(local.resolve("sweep.csv"));
        assertEquals(List.of("method", "setting", "val_wg_acc_pct_mean", "val_wg_acc_pct_std", "test_avg_acc_pct_mean",
                "test_avg_acc_pct_std", "test_wg_acc_pct_mean", "test_wg_acc_pct_std", "worst_group", "epochs",
                "learning_rate"), List.of(csv.get(0).split(",")));
        assertEquals(3, csv.size(), "header + a row per method: " + csv);
        for (int i = 0; i < 2; i++) {
            JsonNode m = methods.get(i);
            String[] row = csv.get(i + 1).split(",", -1);
            assertEquals(m.get("method").asText(), row[0]);
            assertEquals(100 * m.get("avgMean").asDouble(), Double.parseDouble(row[4]), 1e-4);
            assertEquals(100 * m.get("avgStd").asDouble(), Double.parseDouble(row[5]), 1e-4);
            assertEquals(100 * m.get("wgMean").asDouble(), Double.parseDouble(row[6]), 1e-4);
            assertEquals(100 * m.get("wgStd").asDouble(), Double.parseDouble(row[7]), 1e-4);
            assertEquals(100 * m.get("validation").get("wgMean").asDouble(), Double.parseDouble(row[2]), 1e-4);
        }
        assertTrue(csv.get(2).startsWith("rrr,lambda="), csv.get(2));
        String tex = Files.readString(local.resolve("sweep.tex"));
        assertTrue(tex.contains("\\toprule") && tex.contains("\\midrule") && tex.contains("\\bottomrule"), tex);
        assertTrue(tex.lines().anyMatch(l -> l.strip().startsWith("rrr & lambda=") && l.contains(" $\\pm$ ")), tex);
        assertTrue(first.err().contains("mlx sweep: 6 done, 0 running, 0 queued, 0 failed of 6; finished"),
                first.err());
        assertTrue(first.err().contains("ETA"), first.err());
        assertTrue(Files.isRegularFile(local.resolve("plan.json")) && Files.isRegularFile(local.resolve(
                "sweep-file.yaml")));
    }

    @Test
    @Order(2)
    void resumeRunsOnlyWhatDidNotFinish() throws IOException {
        CliRun again = sweep(local);
        assertEquals(2, again.exitCode(), again.toString());
        assertTrue(again.singleError().contains("--resume"), again.singleError());

        Path lost = local.resolve("trials/method=rrr_lambda=100_seed=1");
        Path kept = local.resolve("trials/method=erm_seed=0");
        Files.delete(lost.resolve(TrialRunner.RESULT_FILE));
        FileTime keptTime = Files.getLastModifiedTime(kept.resolve(TrialRunner.RESULT_FILE));
        String before = Files.readString(local.resolve("sweep.json"));
        CliRun resumed = sweep(local, "--resume");
        assertEquals(0, resumed.exitCode(), resumed.toString());
        assertTrue(resumed.out().contains("6 of 6 trials complete (5 from an earlier run)"), resumed.out());
        assertTrue(resumed.err().contains("1 to run"), resumed.err());
        assertEquals(keptTime, Files.getLastModifiedTime(kept.resolve(TrialRunner.RESULT_FILE)),
                "a finished trial never runs again");
        JsonNode a = JSON.readTree(before).get("methods");
        JsonNode b = JSON.readTree(local.resolve("sweep.json").toFile()).get("methods");
        assertEquals(a, b, "the re-run trial reproduces its result exactly");
    }

    @Test
    @Order(3)
    void aFailedTrialIsReportedWithItsLogAndTheOthersGoOn() throws IOException {
        // a third-party regularizer plugin whose setting fail=1 throws when its trial builds it
        String source = PluginJars.regularizerSource("org.example.sweep", "FailingL1", "failing-l1")
                .replace(".addDouble(\"lambda\"", ".addInt(\"fail\", 0, 0, 1, \"1 throws\")\n"
                        + "                                .addDouble(\"lambda\"")
                .replace("double lambda = p.getDouble(\"lambda\");", "double lambda = p.getDouble(\"lambda\");\n"
                        + "        if (p.getInt(\"fail\") == 1) { throw new IllegalStateException(\"deliberate failure\"); }");
        Path plugins = tmp.resolve("plugins");
        PluginJars.build(tmp, plugins.resolve("failing.jar"), Map.of("org.example.sweep.FailingL1", source),
                Map.of(PluginJars.REGULARIZER_SERVICE, List.of("org.example.sweep.FailingL1")));
        Path failing = tmp.resolve("failing.yaml");
        Files.writeString(failing, Files.readString(sweepFile).replace("seeds: [0, 1]", "seeds: [0]")
                .replace("  erm: {}", "  failing-l1: {fail: [0, 1]}"));
        Path out = tmp.resolve("failing");
        CliRun r = CliRun.of("--cache-dir", tmp.resolve("cache").toString(), "--plugins-dir", plugins.toString(),
                "sweep", failing.toString(), "-o", out.toString(), "--threads", "1", "--trial-heap", "512m");
        assertEquals(4, r.exitCode(), r.toString());
        String error = r.singleError();
        assertTrue(error.contains("1 trial(s) failed: method=failing-l1_fail=1_seed=0 (exit 4)"), error);
        assertTrue(error.contains("deliberate failure") && error.contains("trial.log") && error.contains("--resume"),
                error);
        assertTrue(r.out().contains("3 of 4 trials complete"), r.out());
        assertTrue(r.err().contains("0 running, 0 queued, 1 failed of 4"), r.err());
        JsonNode json = JSON.readTree(out.resolve("sweep.json").toFile());
        assertEquals(1, json.get("failures").size());
        assertEquals("{\"fail\":\"0\"}", json.get("methods").get("failing-l1").get("selected").toString(),
                "the method is still selected among its finished settings");
        assertTrue(Files.readString(out.resolve("sweep.md")).contains("## Failed trials"));
    }

    @Test
    @Order(4)
    void reuseTakesOverIdenticalFinishedTrialsFromAnotherSweep() throws IOException {
        // another sweep file: RRR at lambda 100 (finished above) and at lambda 10 (new), seed 1 only
        Path other = tmp.resolve("other.yaml");
        Files.writeString(other, Files.readString(sweepFile).replace("seeds: [0, 1]", "seeds: [1]")
                .replace("  erm: {}\n", "").replace("lambda: [1, 100]", "lambda: [10, 100]"));
        Path out = tmp.resolve("reusing");
        CliRun r = CliRun.of("--cache-dir", tmp.resolve("cache").toString(), "--plugins-dir",
                tmp.resolve("none").toString(), "sweep", other.toString(), "-o", out.toString(), "--threads", "1",
                "--trial-heap", "512m", "--reuse", tmp.toString());
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.err().contains("1 of 2 trials taken over from finished identical runs (--reuse)"), r.err());
        assertTrue(r.err().contains("1 to run"), r.err());
        Path taken = out.resolve("trials/method=rrr_lambda=100_seed=1");
        assertTrue(Files.readString(taken.resolve("reused-from.txt")).contains("local"), "names its source");
        JsonNode mine = JSON.readTree(taken.resolve(TrialRunner.RESULT_FILE).toFile());
        JsonNode source = JSON.readTree(local.resolve("trials/method=rrr_lambda=100_seed=1")
                .resolve(TrialRunner.RESULT_FILE).toFile());
        assertEquals(source.get("groupCorrect"), mine.get("groupCorrect"));
        assertEquals(source.get("validationCorrect"), mine.get("validationCorrect"));
        assertTrue(Files.isRegularFile(out.resolve("trials/method=rrr_lambda=10_seed=1").resolve(
                TrialRunner.RESULT_FILE)), "the new setting ran");

        CliRun missing = CliRun.of("--cache-dir", tmp.resolve("cache").toString(), "sweep", other.toString(), "-o",
                tmp.resolve("never").toString(), "--reuse", tmp.resolve("no-such-folder").toString());
        assertEquals(2, missing.exitCode(), missing.toString());
        assertTrue(missing.singleError().contains("--reuse") && missing.singleError().contains("no-such-folder"),
                missing.singleError());
        assertTrue(Files.notExists(tmp.resolve("never")), "nothing written");
    }

    private static List<String> iterable(java.util.Iterator<String> names) {
        List<String> list = new ArrayList<>();
        names.forEachRemaining(list::add);
        return list;
    }
}
