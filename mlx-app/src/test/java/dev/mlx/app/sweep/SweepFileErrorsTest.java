package dev.mlx.app.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.inject.Guice;
import dev.mlx.app.plugin.PluginCatalog;
import dev.mlx.app.plugin.PluginModule;
import dev.mlx.app.plugin.PluginRegistry;
import dev.mlx.app.testing.CliRun;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A bad sweep file ends in one clear message and exit 2 before anything is written; a good one
 * expands into the right settings.
 */
class SweepFileErrorsTest {
    @TempDir
    Path tmp;

    private CliRun sweep(String yaml) throws IOException {
        Path file = tmp.resolve("s.yaml");
        Files.writeString(file, yaml);
        return CliRun.of("--plugins-dir", tmp.resolve("none").toString(), "sweep", file.toString(), "-o",
                tmp.resolve("out").toString());
    }

    private String fails(String yaml, String... expected) throws IOException {
        CliRun r = sweep(yaml);
        assertEquals(2, r.exitCode(), r.toString());
        String msg = r.singleError();
        for (String e : expected) {
            assertTrue(msg.contains(e), "'" + e + "' in: " + msg);
        }
        assertFalse(Files.exists(tmp.resolve("out")), "nothing is written for a rejected sweep file");
        return msg;
    }

    @Test
    void malformedFile() throws IOException {
        fails("dataset: decoy-mnist\nmethods: {erm: {}\n", "sweep file", "malformed", "YAML");
        fails("[1, 2]\n", "top level must be a mapping");
        fails("dataset: decoy-mnist\nmethods:\n  erm: {}\nepochs: 3\n", "unknown key \"epochs\"", "Allowed keys",
                "training");
    }

    @Test
    void unknownMethodOrHyperParameter() throws IOException {
        fails("dataset: decoy-mnist\nmethods:\n  rrr: {lambda: [1]}\n  nope: {}\n", "methods.nope", "nope");
        fails("dataset: decoy-mnist\nmethods:\n  rrr: {lamda: [1, 10]}\n", "methods.rrr", "lamda");
        fails("dataset: decoy-mnist\nmethods:\n  rrr: {lambda: [-1]}\n", "methods.rrr", "lambda");
        fails("dataset: decoy-mnist\ntraining: {momentum: 0.9}\nmethods: {erm: {}}\n", "training.momentum",
                "lr, epochs, batch-size, weight-decay");
        fails("dataset: decoy-mnist\nmethods:\n  erm: {lr: [fast]}\n", "methods.erm.lr", "fast", "not a number");
        fails("dataset: nope\nmethods: {erm: {}}\n", "nope");
        fails("dataset: decoy-mnist\ndatasetParams: {train-limt: 5}\nmethods: {erm: {}}\n", "datasetParams",
                "train-limt");
    }

    @Test
    void emptyGridsAndSeeds() throws IOException {
        fails("dataset: decoy-mnist\nmethods:\n  rrr: {lambda: []}\n", "methods.rrr.lambda", "empty grid");
        fails("dataset: decoy-mnist\nmethods: {}\n", "\"methods\" is empty");
        fails("dataset: decoy-mnist\n", "\"methods\" is missing");
        fails("dataset: decoy-mnist\nmethods:\n  rrr: []\n", "methods.rrr", "empty list of settings");
        fails("dataset: decoy-mnist\nseeds: []\nmethods: {erm: {}}\n", "\"seeds\" is empty");
        fails("dataset: decoy-mnist\nseeds: [0, 0]\nmethods: {erm: {}}\n", "twice");
        fails("dataset: decoy-mnist\nselection: test-wg\nmethods: {erm: {}}\n", "test-wg", "val-wg, val-avg");
    }

    @Test
    void missingSbatchIsAResourceErrorBeforeAnythingIsWritten() throws Exception {
        Path file = tmp.resolve("s.yaml");
        Files.writeString(file, "dataset: decoy-mnist\nmethods: {erm: {}}\n");
        Path out = tmp.resolve("out");
        String java = ProcessHandle.current().info().command().orElseThrow();
        ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                "dev.mlx.app.Main", "--plugins-dir=" + tmp.resolve("none"), "sweep", file.toString(), "--executor",
                "slurm", "-o", out.toString());
        pb.environment().put("PATH", tmp.resolve("empty-bin").toString());
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes());
        assertEquals(3, p.waitFor(), output);
        List<String> errors = output.lines().filter(l -> l.startsWith("mlx: error:")).toList();
        assertEquals(1, errors.size(), output);
        assertTrue(errors.get(0).contains("sbatch") && errors.get(0).contains("--executor local"), errors.get(0));
        assertFalse(Files.exists(out), "nothing is written when Slurm is missing");
    }

    @Test
    void localOnlyAndSlurmOnlyOptionsAreChecked() throws IOException {
        Path file = tmp.resolve("s.yaml");
        Files.writeString(file, "dataset: decoy-mnist\nmethods: {erm: {}}\n");
        CliRun r = CliRun.of("sweep", file.toString(), "--partition", "gpu", "-o", tmp.resolve("out").toString());
        assertEquals(2, r.exitCode(), r.toString());
        assertTrue(r.singleError().contains("--partition only apply with --executor slurm"), r.singleError());
        CliRun resume = CliRun.of("sweep", file.toString(), "--resume", "-o", tmp.resolve("out").toString());
        assertEquals(2, resume.exitCode(), resume.toString());
        assertTrue(resume.singleError().contains("nothing to resume"), resume.singleError());
        assertFalse(Files.exists(tmp.resolve("out")));
    }

    @Test
    void gridsAndListsExpandInFileOrder() throws IOException {
        Path file = tmp.resolve("g.yaml");
        Files.writeString(file, String.join("\n",
                "dataset: decoy-mnist",
                "seeds: [3, 1]",
                "training: {epochs: 2}",
                "methods:",
                "  erm:",
                "  rrr:",
                "    lambda: [1, 10]",
                "    lr: [0.001, 0.01]",
                "  cert-r4:",
                "    - {epsilon: 0.1, lambda: 1}",
                "    - {epsilon: 0.05, lambda: [2, 3]}",
                ""));
        PluginCatalog catalog = Guice.createInjector(new PluginModule(
                PluginRegistry.builder().discover(getClass().getClassLoader()).build())).getInstance(PluginCatalog.class);
        SweepDefinition d = new SweepFileReader(catalog).read(file);
        assertEquals(List.of(3L, 1L), d.seeds());
        assertEquals(SelectionMetric.VAL_WG, d.selection());
        List<SweepPlan.Cell> cells = SweepPlan.cells(d);
        assertEquals(1 + 4 + 3, cells.size());
        assertEquals(Map.of(), cells.get(0).setting());
        assertEquals(List.of("lambda=1, lr=0.001", "lambda=1, lr=0.01", "lambda=10, lr=0.001", "lambda=10, lr=0.01"),
                cells.subList(1, 5).stream().map(SweepPlan.Cell::label).toList());
        assertEquals(List.of("epsilon=0.1, lambda=1", "epsilon=0.05, lambda=2", "epsilon=0.05, lambda=3"),
                cells.subList(5, 8).stream().map(SweepPlan.Cell::label).toList());
        var t = cells.get(3).trials().get(1);
        assertEquals(1L, t.seed());
        assertEquals(2, t.epochs(), "the training section applies to every method");
        assertEquals(0.001, t.learningRate());
        assertEquals("10", t.regularizerParams().get("lambda"));
        assertEquals("method=rrr_lambda=10_lr=0.001_seed=1", t.id());
        assertEquals(16, SweepPlan.trials(d).size());
    }

    @Test
    void theDocumentedExampleIsAValidSweep() {
        PluginCatalog catalog = Guice.createInjector(new PluginModule(
                PluginRegistry.builder().discover(getClass().getClassLoader()).build())).getInstance(PluginCatalog.class);
        Path example = Path.of("..", "docs", "examples", "sweep-decoy-mnist.yaml");
        SweepDefinition d = new SweepFileReader(catalog).read(example);
        assertEquals(21, SweepPlan.trials(d).size(), "docs/experiments.md says 7 settings x 3 seeds");
    }
}
