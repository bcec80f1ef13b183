package dev.mlx.app.command;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlx.app.plugin.PluginCatalog;
import dev.mlx.app.plugin.PluginKind;
import dev.mlx.app.report.SaliencySet;
import dev.mlx.app.run.Comparison;
import dev.mlx.app.run.ComparisonPage;
import dev.mlx.app.run.MethodDefaults;
import dev.mlx.app.run.Provenance;
import dev.mlx.app.run.RunExecutor;
import dev.mlx.app.run.RunFolder;
import dev.mlx.app.run.RunReport;
import dev.mlx.app.run.RunResult;
import dev.mlx.app.run.RunSpec;
import dev.mlx.app.run.FinishedRun;
import dev.mlx.app.run.SaliencySampler;
import dev.mlx.engine.train.TrainingConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Trains several regularizers on one dataset with each method's default settings and writes one
 * comparison: {@code comparison.md}, {@code comparison.json}, a self-contained {@code report.html}
 * ({@link ComparisonPage}: table, accuracy chart, curves and saliency examples per method) and a run
 * folder per method. Shared
 * by {@code mlx demo} and {@code mlx compare}.
 */
final class ComparisonRunner {
    private final PluginCatalog catalog;
    private final AppSettings settings;
    private final EngineHolder engine;

    ComparisonRunner(PluginCatalog catalog, AppSettings settings, EngineHolder engine) {
        this.catalog = catalog;
        this.settings = settings;
        this.engine = engine;
    }

    /**
     * Expands {@code all} to every registered regularizer that can train {@code model} (ERM first:
     * on a text model ERM and the token-model regularizers, otherwise those for continuous inputs)
     * and resolves every name for the model ({@link PluginCatalog#regularizerFor}: {@code adv-r4} on
     * a text model is {@code token-adv-r4}).
     *
     * @param methods names, or the single word {@code all}
     * @param model the model plugin's name
     * @return the regularizer plugins to run, in order, without repeats
     */
    List<String> resolve(List<String> methods, String model) {
        boolean tokenModel = catalog.model(model).offersTokenEmbeddings();
        List<String> names = new ArrayList<>();
        if (methods.size() == 1 && methods.get(0).equals("all")) {
            catalog.registry().plugins(PluginKind.REGULARIZER).keySet().stream().filter(name -> {
                var provider = catalog.regularizer(name);
                return provider.forAnyModel() || provider.forTokenModels() == tokenModel;
            }).forEach(names::add);
            if (names.remove("erm")) {
                names.add(0, "erm");
            }
        } else {
            names.addAll(methods);
        }
        return names.stream().map(name -> catalog.regularizerFor(name, model)).distinct().toList();
    }

    /**
     * Expands {@code all} to every registered regularizer for continuous inputs (ERM first; the
     * token-model regularizers are named explicitly) and checks every name; {@link #run} then
     * resolves them for its model.
     *
     * @param methods names, or the single word {@code all}
     * @return the methods to run, in order
     */
    List<String> resolve(List<String> methods) {
        List<String> resolved = new ArrayList<>();
        if (methods.size() == 1 && methods.get(0).equals("all")) {
            catalog.registry().plugins(PluginKind.REGULARIZER).keySet().stream()
                    .filter(name -> !catalog.regularizer(name).forTokenModels()).forEach(resolved::add);
            if (resolved.remove("erm")) {
                resolved.add(0, "erm");
            }
        } else {
            resolved.addAll(methods);
        }
        resolved.forEach(catalog::regularizer);
        return resolved;
    }

    /**
     * @param title the table's heading
     * @param dataset dataset name
     * @param datasetParams raw dataset parameters
     * @param model model name
     * @param requested regularizer names (resolved here for the model, see {@link #resolve(List, String)})
     * @param training settings that replace every method's defaults ({@link TrainingOverrides#NONE}: none)
     * @param seed the seed
     * @param out output folder
     * @param overwrite whether an existing folder may be replaced
     * @param resume whether to reuse the methods that an interrupted (or an earlier complete)
     *     comparison towards {@code out} finished with exactly the same settings (see {@link FinishedRun});
     *     implies that {@code out} may be replaced once the new comparison is complete
     * @return the results, in method order
     */
    List<RunResult> run(String title, String dataset, Map<String, String> datasetParams, String model,
            List<String> requested, TrainingOverrides training, long seed, Path out, boolean overwrite,
            boolean resume) {
        List<String> methods = resolve(requested, model);
        // every method's settings are validated before any data is loaded
        methods.forEach(method -> training.apply(MethodDefaults.of(dataset, method), seed));
        List<Path> sources = new ArrayList<>();
        if (resume) {
            if (Files.isDirectory(out)) {
                sources.add(out);
            }
            sources.addAll(RunFolder.leftovers(out));
        }
        try (RunFolder folder = RunFolder.create(out, overwrite || resume)) {
            // an interruption keeps what is done, for --resume
            folder.keepOnFailure();
            DatasetLoader.Loaded loaded = DatasetLoader.load(catalog, settings, dataset, datasetParams, seed, true);
            List<RunResult> results = new ArrayList<>();
            Map<String, SaliencySet> saliency = new LinkedHashMap<>();
            SaliencySampler sampler = new SaliencySampler(catalog, engine.get());
            long t0 = System.nanoTime();
            int reused = 0;
            for (String method : methods) {
                MethodDefaults d = MethodDefaults.of(dataset, method);
                TrainingConfig config = training.apply(d, seed);
                RunSpec spec = new RunSpec(dataset, datasetParams, model, Map.of(), method, d.regularizerParams(),
                        config);
                Optional<RunResult> saved = reusable(sources, method, spec, loaded);
                reused += saved.isPresent() ? 1 : 0;
                RunResult result = saved.isPresent() ? saved.get()
                        : new RunExecutor(catalog, engine.get()).execute(spec, loaded.params(),
                                loaded.data(), new ProgressListener(settings.err(), method, config.epochs()));
                saliency.put(method, sampler.sample(result, loaded.data().test(), SaliencySampler.EXAMPLES));
                RunReport.write(folder, method + "/", result, catalog.registry(), saliency.get(method));
                results.add(result);
            }
            double total = (System.nanoTime() - t0) / 1e9;
            String table = Comparison.markdown(results);
            String setting = loaded.data().train().size() + " training / "
                    + loaded.data().test().size() + " test examples, seed " + seed + ", "
                    + Runtime.getRuntime().availableProcessors() + " CPUs, torch threads "
                    + System.getProperty("ai.djl.pytorch.num_threads", "default")
                    + String.format(Locale.ROOT, ", total training time %.0f s", total)
                    + (reused == 0 ? "." : String.format(Locale.ROOT, " (%d of %d methods were taken over from an"
                            + " interrupted run with identical settings; their times are those of that run).",
                            reused, methods.size()));
            String header = "# " + title + "\n\n" + setting + "\n\n"
                    + "Avg Acc = mean of the per-group test accuracies; Wg Acc = the lowest one.\n\n";
            folder.writeText("comparison.md", header + table);
            folder.writeText("report.html", ComparisonPage.html(title, setting, results, saliency));
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("dataset", dataset);
            json.put("model", model);
            json.put("seed", seed);
            json.put("mlxVersion", Provenance.mlxVersion());
            json.put("totalSeconds", total);
            json.put("runs", Comparison.json(results));
            folder.writeText("comparison.json", new ObjectMapper().writerWithDefaultPrettyPrinter()
                    .writeValueAsString(json));
            folder.commit();
            for (Path source : sources) {
                if (!source.equals(out) && Files.isDirectory(source)) {
                    RunFolder.deleteTree(source);
                }
            }
            settings.out().println();
            settings.out().print(header + table);
            settings.out().println();
            settings.out().println("written to " + folder.target());
            return results;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Optional<RunResult> reusable(List<Path> sources, String method, RunSpec spec,
            DatasetLoader.Loaded loaded) {
        for (Path source : sources) {
            Optional<RunResult> saved = FinishedRun.matching(source.resolve(method), spec, loaded.params(),
                    loaded.data(), catalog);
            if (saved.isPresent()) {
                settings.err().printf(Locale.ROOT, "%s: reusing the finished run in %s (Avg Acc %.2f%%, Wg Acc %.2f%%)%n",
                        method, source.resolve(method), 100 * saved.get().test().averageGroupAccuracy(),
                        100 * saved.get().test().worstGroupAccuracy());
                return saved;
            }
        }
        return Optional.empty();
    }
}
