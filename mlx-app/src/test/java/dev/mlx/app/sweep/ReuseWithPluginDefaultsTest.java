package dev.mlx.app.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.inject.Guice;
import dev.mlx.app.ablate.TrainingSetTransform;
import dev.mlx.app.ablate.Trial;
import dev.mlx.app.ablate.TrialResult;
import dev.mlx.app.ablate.TrialRunner;
import dev.mlx.app.ablate.TrialScheduler;
import dev.mlx.app.plugin.PluginCatalog;
import dev.mlx.app.plugin.PluginModule;
import dev.mlx.app.plugin.PluginRegistry;
import java.io.PrintStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mlx sweep --reuse} completes both sides with the plugins' defaults before comparing: a parameter
 * left to its default and the same value written out are one run; another value is another run.
 */
class ReuseWithPluginDefaultsTest {
    @TempDir
    Path tmp;

    private static Trial rrr(String id, Map<String, String> params) {
        return new Trial(id, Map.of(), "decoy-mnist", Map.of(), "mlp", Map.of(), "rrr", params, 30, 1000, 0.001, 0.0,
                0, TrainingSetTransform.none());
    }

    @Test
    void aDefaultLeftOutAndWrittenOutAreTheSameRun() throws Exception {
        PluginCatalog catalog = Guice.createInjector(new PluginModule(
                PluginRegistry.builder().discover(getClass().getClassLoader()).build())).getInstance(PluginCatalog.class);
        Trial kept = rrr("method=rrr_lambda=10_seed=0", Map.of("lambda", "10"));
        Path dir = Files.createDirectories(tmp.resolve("kept/trials").resolve(kept.id()));
        TrialRunner.writeAtomically(dir.resolve(TrialRunner.RESULT_FILE),
                new TrialResult(kept, new long[] {9}, new long[] {10}, 100, 10, 1.0, 0.1, null));
        Trial asDefault = rrr("method=rrr_seed=0", Map.of());
        Trial other = rrr("method=rrr_lambda=11_seed=0", Map.of("lambda", "11"));
        TrialScheduler scheduler = new TrialScheduler(tmp.resolve("new"), "test",
                new PrintStream(OutputStream.nullOutputStream()));
        List<Path> sources = List.of(tmp.resolve("kept"));

        Map<Trial, Path> withDefaults = scheduler.reusable(List.of(asDefault, other), sources,
                t -> SweepCommand.withPluginDefaults(catalog, t));
        assertEquals(Map.of(asDefault, dir.resolve(TrialRunner.RESULT_FILE)), withDefaults);
        assertEquals(Map.of(), scheduler.reusable(List.of(asDefault, other), sources),
                "compared as written, lambda 10 and no lambda differ");
    }
}
