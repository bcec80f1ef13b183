package dev.mlx.app.ablate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mlx.app.exec.TrialProcess;
import dev.mlx.app.testing.CliRun;
import dev.mlx.app.testing.TinyDermaNpz;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A tiny mask-fraction ablation end to end: 2 methods x 2 fractions on a generated Decoy-DERM
 * file, one epoch, every trial its own process; then resumed after one trial's result is deleted.
 */
class AblateCommandTest {
    private static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G'};

    @TempDir
    Path tmp;

    private CliRun ablate(Path data, Path out) {
        return CliRun.of("--cache-dir", tmp.resolve("cache").toString(), "ablate", "mask-fraction", "-d", "decoy-derm",
                "--dataset-param", "dir=" + data, "--model-param", "hidden=8", "--methods", "rrr,cert-r4",
                "--fractions", "0,1", "--epochs", "1", "--batch-size", "16", "--threads", "1", "--trial-heap", "512m",
                "-o", out.toString());
    }

    @Test
    void runsEveryTrialInItsOwnProcessWritesCsvJsonReportPlotsAndResumes() throws IOException {
        Path data = Files.createDirectories(tmp.resolve("derm"));
        TinyDermaNpz.write(data, 24, 16, 1);
        Path out = tmp.resolve("ablation");

        CliRun first = ablate(data, out);
        assertEquals(0, first.exitCode(), first.toString());
        assertTrue(first.out().contains("4 of 4 trials complete (0 from an earlier run)"), first.out());
        List<String> csv = Files.readAllLines(out.resolve("results.csv"));
        assertEquals(5, csv.size(), "header + 4 trials");
        assertTrue(csv.get(0).startsWith("trial,method,mask-fraction,seed,train_size"), csv.get(0));
        // 24 training images (MedMNIST's 6 val images are the validation split)
        assertTrue(csv.stream().anyMatch(l -> l.contains(",cert-r4,0,0,24,")), String.join("\n", csv));
        for (String plot : new String[] {"mask-fraction-wg.png", "mask-fraction-avg.png"}) {
            byte[] head = java.util.Arrays.copyOf(Files.readAllBytes(out.resolve(plot)), 4);
            assertArrayEquals(PNG, head, plot + " is a PNG");
            String svg = Files.readString(out.resolve(plot.replace(".png", ".svg")));
            assertTrue(svg.startsWith("<?xml") && svg.contains("<svg"), plot + " has its SVG twin");
        }
        // the cell table as booktabs LaTeX: a row per (method, fraction), one seed so no ±
        String tex = Files.readString(out.resolve("results.tex"));
        assertTrue(tex.contains("\\toprule") && tex.contains("\\midrule") && tex.contains("\\bottomrule"), tex);
        assertTrue(tex.contains("method & mask-fraction & train n & Avg Acc (\\%) & Wg Acc (\\%)"), tex);
        assertEquals(4, tex.lines().filter(l -> l.strip().matches("(rrr|cert-r4) & [01] & 24 & .*\\\\")).count(),
                tex);
        assertTrue(tex.contains("seed 0;") && !tex.contains("$\\pm$"), "one seed, no std: " + tex);
        assertTrue(first.out().contains("results.tex") && first.out().contains("mask-fraction-wg.svg"), first.out());
        JsonNode json = TrialRunner.JSON.readTree(out.resolve("results.json").toFile());
        assertEquals(4, json.get("trialsComplete").asInt());
        assertEquals(4, json.get("cells").size());
        String report = Files.readString(out.resolve("report.md"));
        assertTrue(report.contains("| rrr | 0 |") && report.contains("![mask-fraction-wg.png]"), report);

        // the trial at mask fraction 0 trained on all-zero masks, the one at 1 on the full swatch masks
        Path zero = out.resolve("trials/method=cert-r4_mask-fraction=0_seed=0");
        Path full = out.resolve("trials/method=cert-r4_mask-fraction=1_seed=0");
        assertTrue(Files.readString(zero.resolve(TrialProcess.LOG_FILE)).contains("[masks kept 0.0]"));
        assertTrue(Files.isRegularFile(full.resolve("run/report.json")), "each trial writes a full run folder");

        // every trial's certified fragility is the fragility metric of its trained network (= mlx eval of its run)
        List<String> header = List.of(csv.get(0).split(","));
        assertTrue(header.containsAll(List.of("fragility_epsilon", "kappa_m", "kappa_core", "fragility_ratio")),
                csv.get(0));
        for (String line : csv.subList(1, csv.size())) {
            String[] cells = line.split(",", -1);
            assertEquals("0.01", cells[header.indexOf("fragility_epsilon")], "decoy-derm's test_epsilon: " + line);
            for (String column : List.of("kappa_m", "kappa_core")) {
                // 0 is possible: a 1-epoch 8-unit MLP can have every hidden unit inactive over the small box
                double kappa = Double.parseDouble(cells[header.indexOf(column)]);
                assertTrue(Double.isFinite(kappa) && kappa >= 0, column + ": " + line);
            }
        }
        JsonNode measured = TrialRunner.JSON.readTree(full.resolve(TrialRunner.RESULT_FILE).toFile()).get("fragility");
        CliRun eval = CliRun.of("--cache-dir", tmp.resolve("cache").toString(), "eval", "--run",
                full.resolve("run").toString(), "--batch-size", "256", "--metrics", "fragility", "-P", "epsilon=0.01");
        assertEquals(0, eval.exitCode(), eval.toString());
        JsonNode evaluated = TrialRunner.JSON.readTree(full.resolve("run/eval.json").toFile()).get("metrics")
                .get("fragility").get("values");
        assertEquals(evaluated.get("kappa-m").asDouble(), measured.get("kappaMasked").asDouble(), 1e-12);
        assertEquals(evaluated.get("kappa-core").asDouble(), measured.get("kappaCore").asDouble(), 1e-12);
        assertEquals(evaluated.get("ratio").asDouble(), measured.get("ratio").asDouble(), 1e-12);
        assertTrue(report.contains("| kappa_m | kappa ratio |"), report);
        Files.delete(full.resolve("run/eval.json"));

        // resume: delete one result, leave a half-written trial folder, re-run the same command
        Files.delete(zero.resolve(TrialRunner.RESULT_FILE));
        FileTime kept = Files.getLastModifiedTime(full.resolve(TrialRunner.RESULT_FILE));
        CliRun second = ablate(data, out);
        assertEquals(0, second.exitCode(), second.toString());
        assertTrue(second.out().contains("4 of 4 trials complete (3 from an earlier run)"), second.out());
        assertTrue(second.err().contains("re-running incomplete trial method=cert-r4_mask-fraction=0_seed=0"),
                second.err());
        assertTrue(Files.isRegularFile(zero.resolve(TrialRunner.RESULT_FILE)), "the deleted trial ran again");
        assertEquals(kept, Files.getLastModifiedTime(full.resolve(TrialRunner.RESULT_FILE)),
                "a complete trial is not redone");
        assertEquals(5, Files.readAllLines(out.resolve("results.csv")).size());
        try (Stream<Path> s = Files.list(out.resolve("trials"))) {
            assertEquals(4, s.count());
        }
    }

    @Test
    void badOptionsFailBeforeAnyTrialStarts() {
        Path out = tmp.resolve("never");
        CliRun unknown = CliRun.of("ablate", "mask-ratio", "--methods", "rrr", "-o", out.toString());
        assertEquals(2, unknown.exitCode());
        assertTrue(unknown.singleError().contains("mask-fraction, data-fraction, corruption, heatmap, model-size"));
        CliRun misplaced = CliRun.of("ablate", "mask-fraction", "--methods", "rrr", "--corruptions", "shift", "-o",
                out.toString());
        assertEquals(2, misplaced.exitCode());
        assertTrue(misplaced.singleError().contains("--corruptions"), misplaced.singleError());
        CliRun badMethod = CliRun.of("ablate", "corruption", "--methods", "rrr,nope", "-o", out.toString());
        assertEquals(2, badMethod.exitCode());
        assertTrue(badMethod.singleError().contains("nope"), badMethod.singleError());
        CliRun badFraction = CliRun.of("ablate", "heatmap", "--methods", "rrr", "--fractions", "1.5", "-o",
                out.toString());
        assertEquals(2, badFraction.exitCode());
        assertFalse(Files.exists(out), "nothing is written for a rejected command");
    }
}
