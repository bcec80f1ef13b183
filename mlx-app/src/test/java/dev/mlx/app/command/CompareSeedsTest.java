package dev.mlx.app.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
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
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mlx compare --seeds}: every method once per seed, a mean ± std table, comparison.json with
 * the §8.1 aggregates and the per-seed results, validation aggregates, and {@code --resume} per
 * (method, seed).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CompareSeedsTest {
    private static final Consumer<PluginRegistry.Builder> TINY =
            b -> b.add(PluginKind.DATASET, new TinyDecoyProvider(), "test");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path tmp;

    private static Path out;
    private static CliRun first;
    private static JsonNode json;

    private static CliRun compare(Path target, String... extra) {
        String[] base = {"compare", "--dataset", "tiny-decoy", "--methods", "erm,rrr", "--epochs", "2",
            "--dataset-param", "train-size=200", "--dataset-param", "test-size=120",
            "--dataset-param", "validation-size=80", "--out", target.toString(),
            "--plugins-dir", tmp.resolve("none").toString()};
        return CliRun.of(TINY, Stream.concat(Stream.of(base), Stream.of(extra)).toArray(String[]::new));
    }

    @BeforeAll
    static void compareOverThreeSeeds() throws Exception {
        out = tmp.resolve("cmp");
        first = compare(out, "--seeds", "0,1,2");
        assertEquals(0, first.exitCode(), first::toString);
        json = JSON.readTree(out.resolve("comparison.json").toFile());
    }

    @Test
    @Order(1)
    void everyMethodAndSeedHasItsRunFolder() {
        for (String method : List.of("erm", "rrr")) {
            for (int seed = 0; seed < 3; seed++) {
                Path run = out.resolve(method).resolve("seed" + seed);
                for (String f : List.of("config.json", "model.params", "report.json", "report.html")) {
                    assertTrue(Files.isRegularFile(run.resolve(f)), run.resolve(f).toString());
                }
            }
        }
    }

    @Test
    @Order(1)
    void comparisonJsonHoldsTheSection8AggregatesAndThePerSeedResults() throws Exception {
        assertEquals("[0,1,2]", json.get("seeds").toString());
        JsonNode methods = json.get("methods");
        assertEquals(2, methods.size());
        for (JsonNode m : methods) {
            String method = m.get("method").asText();
            assertEquals("[0,1,2]", m.get("seeds").toString());
            JsonNode perSeed = m.get("perSeed");
            assertEquals(3, perSeed.size());
            int groups = perSeed.get(0).get("groupAccuracy").size();
            double[][] acc = new double[3][groups];
            for (int r = 0; r < 3; r++) {
                assertEquals(r, perSeed.get(r).get("seed").asInt());
                JsonNode report = JSON.readTree(out.resolve(method).resolve("seed" + r).resolve("report.json").toFile());
                assertEquals(r, report.get("provenance").get("seed").asInt(), "the seed reaches the run");
                assertEquals(report.get("results").get("avgGroupAccuracy"), perSeed.get(r).get("avgGroupAccuracy"));
                for (int g = 0; g < groups; g++) {
                    acc[r][g] = perSeed.get(r).get("groupAccuracy").get(g).asDouble();
                }
            }
            // recompute spec §8.1 by hand: Wg = min over groups of the seed-averaged accuracies
            double[] mean = new double[groups];
            for (int g = 0; g < groups; g++) {
                mean[g] = (acc[0][g] + acc[1][g] + acc[2][g]) / 3;
            }
            int worst = 0;
            double avg = 0;
            for (int g = 0; g < groups; g++) {
                avg += mean[g] / groups;
                worst = mean[g] < mean[worst] ? g : worst;
            }
            assertEquals(avg, m.get("avgMean").asDouble(), 1e-12, method);
            assertEquals(mean[worst], m.get("wgMean").asDouble(), 1e-12, method);
            assertEquals(worst, m.get("worstGroup").asInt(), method);
            double[] perRunAvg = new double[3];
            double[] perRunWorst = new double[3];
            for (int r = 0; r < 3; r++) {
                for (int g = 0; g < groups; g++) {
                    perRunAvg[r] += acc[r][g] / groups;
                }
                perRunWorst[r] = acc[r][worst];
            }
            assertEquals(sampleStd(perRunAvg), m.get("avgStd").asDouble(), 1e-12, method);
            assertEquals(sampleStd(perRunWorst), m.get("wgStd").asDouble(), 1e-12, method);
            JsonNode validation = m.get("validation");
            assertTrue(validation.isObject(), "the validation aggregate: " + m);
            assertTrue(validation.get("wgMean").asDouble() <= validation.get("avgMean").asDouble());
            assertTrue(validation.has("wgStd") && validation.has("avgStd"));
            assertEquals(80, perSeed.get(0).get("validationSize").asInt());
            assertEquals(80, perSeed.get(0).get("validation").get("groupCount").get(0).asInt()
                    + perSeed.get(0).get("validation").get("groupCount").get(1).asInt()
                    + perSeed.get(0).get("validation").get("groupCount").get(2).asInt()
                    + perSeed.get(0).get("validation").get("groupCount").get(3).asInt());
        }
        assertEquals(6, json.get("runs").size(), "every (method, seed) run, flat");
        assertNotEquals(json.get("runs").get(0).get("avgGroupAccuracy"), json.get("runs").get(1).get("avgGroupAccuracy"),
                "other seeds give other results");
    }

    @Test
    @Order(1)
    void theTableShowsMeanAndStd() throws Exception {
        String md = Files.readString(out.resolve("comparison.md"));
        assertTrue(md.contains("| method | Avg Acc | Wg Acc | worst group | Val Avg | Val Wg | seeds |"), md);
        JsonNode erm = json.get("methods").get(0);
        String avg = String.format(java.util.Locale.ROOT, "%.2f ± %.2f %%", 100 * erm.get("avgMean").asDouble(),
                100 * erm.get("avgStd").asDouble());
        assertTrue(md.contains("| erm | " + avg + " | "), avg + " in\n" + md);
        assertTrue(md.contains("worst group of the restart-averaged accuracies"), "the legend says which aggregate");
        assertTrue(first.out().contains(avg), "printed too");
        String html = Files.readString(out.resolve("report.html"));
        assertTrue(html.contains(avg.replace("%", "")) || html.contains(avg), "the page's table");
    }

    @Test
    @Order(1)
    void theTableIsAlsoCsvAndBooktabsLatexWithMeanAndStdAndTheChartSvg() throws Exception {
        List<String> csv = Files.readAllLines(out.resolve("comparison.csv"));
        assertEquals(3, csv.size(), "header + a row per method: " + csv);
        List<String> header = List.of(csv.get(0).split(","));
        assertEquals(List.of("method", "avg_acc_pct_mean", "avg_acc_pct_std", "wg_acc_pct_mean", "wg_acc_pct_std",
                "worst_group", "val_avg_acc_pct_mean", "val_avg_acc_pct_std", "val_wg_acc_pct_mean",
                "val_wg_acc_pct_std"), header.subList(0, 10));
        for (int i = 0; i < 2; i++) {
            JsonNode m = json.get("methods").get(i);
            String[] row = csv.get(i + 1).split(",(?=(?:[^\"]*\"[^\"]*\")*[^\"]*$)", -1);
            assertEquals(m.get("method").asText(), row[0]);
            assertEquals(100 * m.get("avgMean").asDouble(), Double.parseDouble(row[1]), 1e-4);
            assertEquals(100 * m.get("avgStd").asDouble(), Double.parseDouble(row[2]), 1e-4);
            assertEquals(100 * m.get("wgMean").asDouble(), Double.parseDouble(row[3]), 1e-4);
            assertEquals(100 * m.get("wgStd").asDouble(), Double.parseDouble(row[4]), 1e-4);
            assertEquals(m.get("worstGroup").asInt(), Integer.parseInt(row[5]));
            assertEquals(100 * m.get("validation").get("wgMean").asDouble(), Double.parseDouble(row[8]), 1e-4);
            assertEquals("\"0,1,2\"", row[header.indexOf("seeds")], "the seeds, quoted");
        }
        String tex = Files.readString(out.resolve("comparison.tex"));
        assertTrue(tex.contains("\\toprule") && tex.contains("\\midrule") && tex.contains("\\bottomrule"), tex);
        JsonNode erm = json.get("methods").get(0);
        String avg = String.format(java.util.Locale.ROOT, "%.2f $\\pm$ %.2f", 100 * erm.get("avgMean").asDouble(),
                100 * erm.get("avgStd").asDouble());
        assertTrue(tex.lines().anyMatch(l -> l.strip().startsWith("erm & " + avg + " & ")), avg + " in\n" + tex);
        assertTrue(tex.contains("Avg Acc (\\%)") && tex.contains("seeds 0,1,2"), tex);
        String svg = Files.readString(out.resolve("comparison.svg"));
        assertTrue(svg.startsWith("<?xml") && svg.contains("<svg") && svg.length() > 2000, "the accuracy chart");
    }

    @Test
    @Order(2)
    void resumeRetrainsOnlyTheMissingMethodAndSeedRuns() throws Exception {
        // an interrupted run: its staging folder without rrr's seed 1
        Path partial = tmp.resolve(".cmp.partial-1");
        Files.move(out, partial);
        deleteTree(partial.resolve("rrr").resolve("seed1"));
        CliRun r = compare(out, "--seeds", "0,1,2", "--resume");
        assertEquals(0, r.exitCode(), r::toString);
        List<String> reused = new ArrayList<>(r.err().lines().filter(l -> l.contains("reusing the finished run"))
                .toList());
        assertEquals(5, reused.size(), r::toString);
        assertFalse(r.err().contains("rrr/seed1: reusing"), r::toString);
        assertTrue(r.err().contains("rrr/seed2: reusing"), r::toString);
        JsonNode again = JSON.readTree(out.resolve("comparison.json").toFile());
        for (int i = 0; i < 2; i++) {
            JsonNode a = json.get("methods").get(i);
            JsonNode b = again.get("methods").get(i);
            assertEquals(a.get("avgMean"), b.get("avgMean"), "the same seeds give the same numbers");
            assertEquals(a.get("wgStd"), b.get("wgStd"));
        }
        assertTrue(Files.readString(out.resolve("comparison.md")).contains("5 of 6 runs were taken over"));
    }

    @Test
    @Order(3)
    void aSingleSeedComparisonResumesIntoAMultiSeedOne() throws Exception {
        Path single = tmp.resolve("single");
        CliRun one = compare(single, "--seed", "1");
        assertEquals(0, one.exitCode(), one::toString);
        assertTrue(Files.isRegularFile(single.resolve("erm").resolve("report.json")), "the single-seed layout");
        CliRun more = compare(single, "--seeds", "1,2", "--resume");
        assertEquals(0, more.exitCode(), more::toString);
        assertTrue(more.err().contains("erm/seed1: reusing the finished run in " + single.resolve("erm")), more::toString);
        assertTrue(more.err().contains("rrr/seed1: reusing"), more::toString);
        assertFalse(more.err().contains("seed2: reusing"), more::toString);
        assertTrue(Files.isRegularFile(single.resolve("erm").resolve("seed1").resolve("report.json")));
        assertFalse(Files.exists(single.resolve("erm").resolve("report.json")), "the new layout replaced the old");
        JsonNode perSeed = JSON.readTree(single.resolve("comparison.json").toFile()).get("methods").get(0)
                .get("perSeed");
        assertEquals(json.get("methods").get(0).get("perSeed").get(1).get("avgGroupAccuracy"),
                perSeed.get(0).get("avgGroupAccuracy"), "seed 1 gives the same numbers in both comparisons");
    }

    @Test
    @Order(3)
    void seedAndSeedsTogetherOrARepeatedSeedAreUserErrors() {
        CliRun both = compare(tmp.resolve("x"), "--seed", "1", "--seeds", "0,1");
        assertEquals(2, both.exitCode(), both::toString);
        assertTrue(both.singleError().contains("either --seed or --seeds"), both::toString);
        CliRun twice = compare(tmp.resolve("y"), "--seeds", "0,1,0");
        assertEquals(2, twice.exitCode(), twice::toString);
        assertTrue(twice.singleError().contains("--seeds lists 0 twice"), twice::toString);
        assertFalse(Files.exists(tmp.resolve("x")) || Files.exists(tmp.resolve("y")), "nothing written");
    }

    private static double sampleStd(double[] v) {
        double mean = 0;
        for (double x : v) {
            mean += x / v.length;
        }
        double ss = 0;
        for (double x : v) {
            ss += (x - mean) * (x - mean);
        }
        return Math.sqrt(ss / (v.length - 1));
    }

    private static void deleteTree(Path root) throws Exception {
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
