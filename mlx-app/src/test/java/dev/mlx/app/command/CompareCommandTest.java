package dev.mlx.app.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlx.app.plugin.PluginKind;
import dev.mlx.app.plugin.PluginRegistry;
import dev.mlx.app.testing.CliRun;
import dev.mlx.app.testing.TinyDecoyProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code mlx compare} on generated data: every method, one table, one folder per method. */
class CompareCommandTest {
    private static final Consumer<PluginRegistry.Builder> TINY =
            b -> b.add(PluginKind.DATASET, new TinyDecoyProvider(), "test");

    @TempDir
    Path tmp;

    @Test
    void allTrainsEveryRegisteredRegularizerAndWritesOneTable() throws Exception {
        Path out = tmp.resolve("cmp");
        CliRun r = CliRun.of(TINY, "compare", "--dataset", "tiny-decoy", "--methods", "all", "--epochs", "1",
                "--out", out.toString(), "--plugins-dir", tmp.resolve("none").toString());
        assertEquals(0, r.exitCode(), r::toString);
        PluginRegistry registry = PluginRegistry.builder().discover(getClass().getClassLoader()).build();
        List<String> expected = new ArrayList<>(registry.plugins(PluginKind.REGULARIZER).keySet());
        expected.removeIf(name -> ((dev.mlx.api.train.RegularizerProvider) registry.plugins(PluginKind.REGULARIZER)
                .get(name).provider()).forTokenModels());
        assertTrue(expected.size() >= 3, "regularizers: " + expected);
        String table = Files.readString(out.resolve("comparison.md"));
        for (String method : expected) {
            assertTrue(table.lines().anyMatch(l -> l.startsWith("| " + method + " |")), "no row for " + method);
            assertTrue(Files.isRegularFile(out.resolve(method).resolve("report.json")), method);
        }
        JsonNode json = new ObjectMapper().readTree(out.resolve("comparison.json").toFile());
        assertEquals(expected.size(), json.get("runs").size());
        assertEquals("erm", json.get("runs").get(0).get("method").asText(), "ERM, the baseline, comes first");
        for (JsonNode run : json.get("runs")) {
            assertTrue(run.get("wallSeconds").asDouble() > 0 && run.get("secondsPerEpoch").asDouble() > 0);
        }
        // one seed: the CSV's std columns are empty, the LaTeX shows the means alone
        List<String> csv = Files.readAllLines(out.resolve("comparison.csv"));
        assertEquals(expected.size() + 1, csv.size(), "header + a row per method");
        assertTrue(csv.get(0).startsWith("method,avg_acc_pct_mean,avg_acc_pct_std,wg_acc_pct_mean,wg_acc_pct_std,"),
                csv.get(0));
        for (int i = 0; i < expected.size(); i++) {
            JsonNode run = json.get("runs").get(i);
            String[] row = csv.get(i + 1).split(",", -1);
            assertEquals(run.get("method").asText(), row[0]);
            assertEquals(100 * run.get("avgGroupAccuracy").asDouble(), Double.parseDouble(row[1]), 1e-4);
            assertEquals("", row[2], "no std with one seed");
            assertEquals(100 * run.get("worstGroupAccuracy").asDouble(), Double.parseDouble(row[3]), 1e-4);
        }
        String tex = Files.readString(out.resolve("comparison.tex"));
        assertTrue(tex.contains("\\toprule") && tex.contains("\\bottomrule"), tex);
        assertTrue(!tex.contains("$\\pm$"), "no ± with one seed: " + tex);
        for (String method : expected) {
            assertTrue(tex.lines().anyMatch(l -> l.strip().startsWith(method.replace("_", "\\_") + " & ")), method);
        }
        assertTrue(Files.readString(out.resolve("comparison.svg")).contains("<svg"));
    }

    @Test
    void anUnknownMethodStopsBeforeAnyTraining() {
        Path out = tmp.resolve("bad");
        CliRun r = CliRun.of(TINY, "compare", "--dataset", "tiny-decoy", "--methods", "erm,nope", "--out",
                out.toString(), "--plugins-dir", tmp.resolve("none").toString());
        assertEquals(2, r.exitCode(), r::toString);
        assertTrue(r.singleError().contains("unknown regularizer 'nope'"), r.singleError());
        assertTrue(!Files.exists(out), "nothing is written");
    }
}
