package dev.mlx.app.command;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlx.app.plugin.PluginCatalog;
import dev.mlx.app.plugin.PluginKind;
import dev.mlx.app.report.PasteTable;
import dev.mlx.app.report.SaliencySet;
import dev.mlx.app.run.Comparison;
import dev.mlx.app.run.ConfigFile;
import dev.mlx.app.run.ComparisonPage;
import dev.mlx.app.run.MethodDefaults;
import dev.mlx.app.run.Provenance;
import dev.mlx.app.run.RunExecutor;
import dev.mlx.app.run.RunFolder;
import dev.mlx.app.run.RunReport;
import dev.mlx.app.run.Restarts;
import dev.mlx.app.run.RestartsTable;
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
 * comparison: {@code comparison.md}, {@code comparison.json}, the table to paste as {@code comparison.csv}
 * and {@code comparison.tex} ({@link RestartsTable#pasteTable}), the accuracy chart as
 * {@code comparison.svg}, a self-contained {@code report.html}
 * ({@link ComparisonPage}: table, accuracy chart, curves and saliency examples per method) and a run
 * folder per method. Shared
 * by {@code mlx demo} and {@code mlx compare}. With several seeds every method is trained once per
 * seed and the table shows mean ± std over them ({@link Restarts}, spec §8.1).
 */
final class ComparisonRunner {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ComparisonRunner.class);
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
     * @param seeds the restarts: every method is trained once per seed (the seed of data construction,
     *     initialisation and shuffling, as {@code mlx train --seed}); one seed keeps the single-run layout
     *     ({@code <out>/<method>/}), several write {@code <out>/<method>/seed<s>/} and a mean ± std table
     * @param out output folder
     * @param overwrite whether an existing folder may be replaced
     * @param resume whether to reuse the (method, seed) runs that an interrupted (or an earlier complete)
     *     comparison towards {@code out} finished with exactly the same settings (see {@link FinishedRun});
     *     implies that {@code out} may be replaced once the new comparison is complete
     * @return the results per method, in method order
     */
    /**
     * Copies the training checkpoint an interrupted comparison left for this (method, seed), if its
     * settings are exactly these, into the new staging folder, so the method continues from its last
     * finished epoch.
     */
    private static void adoptCheckpoint(List<Path> sources, String prefix, String settingsJson, Path checkpoint)
            throws IOException {
        for (Path source : sources) {
            Path old = source.resolve(prefix).resolve(TrainCommand.CHECKPOINT_DIR);
            Path state = old.resolve("state.mlxc");
            Path runJson = old.resolve("run.json");
            if (!source.equals(checkpoint) && Files.isRegularFile(state) && Files.isRegularFile(runJson)
                    && JSON.readTree(runJson.toFile()).equals(JSON.readTree(settingsJson))) {
                Files.createDirectories(checkpoint);
                Files.copy(state, checkpoint.resolve("state.mlxc"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                LOG.info("{}: continuing from the checkpoint in {}", prefix, old);
                return;
            }
        }
    }

    List<Restarts> run(String title, String dataset, Map<String, String> datasetParams, String model,
            List<String> requested, TrainingOverrides training, List<Long> seeds, Path out, boolean overwrite,
            boolean resume) {
        List<String> methods = resolve(requested, model);
        // every method's settings are validated before any data is loaded
        seeds.forEach(seed -> methods.forEach(method -> training.apply(MethodDefaults.of(dataset, method), seed)));
        List<Path> sources = new ArrayList<>();
        if (resume) {
            if (Files.isDirectory(out)) {
                sources.add(out);
            }
            sources.addAll(RunFolder.leftovers(out));
        }
        boolean restarts = seeds.size() > 1;
        try (RunFolder folder = RunFolder.create(out, overwrite || resume)) {
            // an interruption keeps what is done, for --resume
            folder.keepOnFailure();
            Map<String, List<RunResult>> byMethod = new LinkedHashMap<>();
            methods.forEach(m -> byMethod.put(m, new ArrayList<>()));
            Map<String, SaliencySet> saliency = new LinkedHashMap<>();
            SaliencySampler sampler = new SaliencySampler(catalog, engine.get());
            long t0 = System.nanoTime();
            int reused = 0;
            String sizes = "";
            for (long seed : seeds) {
                // the dataset is built per seed (decoy placement depends on it), as `mlx train --seed` does
                DatasetLoader.Loaded loaded = DatasetLoader.load(catalog, settings, dataset, datasetParams, seed, true);
                sizes = loaded.data().train().size() + " training / "
                        + loaded.data().validation().map(v -> v.size() + " validation / ").orElse("")
                        + loaded.data().test().size() + " test examples";
                for (String method : methods) {
                    MethodDefaults d = MethodDefaults.of(dataset, method);
                    TrainingConfig config = training.apply(d, seed);
                    RunSpec spec = new RunSpec(dataset, datasetParams, model, Map.of(), method, d.regularizerParams(),
                            config);
                    String prefix = restarts ? method + "/seed" + seed + "/" : method + "/";
                    // also the other layout, so that a single-seed comparison resumes into a multi-seed one and back
                    String other = restarts ? method + "/" : method + "/seed" + seed + "/";
                    Optional<RunResult> saved = reusable(sources, List.of(prefix, other), spec, loaded);
                    reused += saved.isPresent() ? 1 : 0;
                    String label = restarts ? method + " seed " + seed : method;
                    RunResult result;
                    if (saved.isPresent()) {
                        result = saved.get();
                    } else {
                        // a per-epoch checkpoint in the staging folder, so an interrupted method resumes mid-way
                        Path checkpoint = folder.staging().resolve(prefix).resolve(TrainCommand.CHECKPOINT_DIR);
                        String settingsJson = JSON.writeValueAsString(ConfigFile.toJson(spec));
                        if (resume) {
                            adoptCheckpoint(sources, prefix, settingsJson, checkpoint);
                        }
                        folder.writeText(prefix + TrainCommand.CHECKPOINT_DIR + "/run.json", settingsJson);
                        result = new RunExecutor(catalog, engine.get()).execute(spec, loaded.params(), loaded.data(),
                                new ProgressListener(settings.err(), label, config.epochs(), config.batchSize(),
                                        settings.quiet()),
                                checkpoint.resolve("state.mlxc"));
                        RunFolder.deleteTree(checkpoint);
                    }
                    SaliencySet set = sampler.sample(result, loaded.data().test(), SaliencySampler.EXAMPLES);
                    saliency.putIfAbsent(method, set);
                    RunReport.write(folder, prefix, result, catalog.registry(), set);
                    byMethod.get(method).add(result);
                }
            }
            List<Restarts> results = new ArrayList<>();
            byMethod.forEach((method, runs) -> results.add(new Restarts(method, seeds, runs)));
            double total = (System.nanoTime() - t0) / 1e9;
            String table = restarts ? RestartsTable.markdown(results)
                    : Comparison.markdown(results.stream().map(r -> r.runs().get(0)).toList());
            String setting = sizes + (restarts ? ", seeds " + seeds.stream().map(String::valueOf)
                    .reduce((a, b) -> a + "," + b).orElse("") : ", seed " + seeds.get(0)) + ", "
                    + Runtime.getRuntime().availableProcessors() + " CPUs, torch threads "
                    + System.getProperty("ai.djl.pytorch.num_threads", "default")
                    + String.format(Locale.ROOT, ", total training time %.0f s", total)
                    + (reused == 0 ? "." : String.format(Locale.ROOT, " (%d of %d %s were taken over from an"
                            + " interrupted run with identical settings; their times are those of that run).",
                            reused, methods.size() * seeds.size(), restarts ? "runs" : "methods"));
            String legend = restarts ? RestartsTable.LEGEND
                    : "Avg Acc = mean of the per-group test accuracies; Wg Acc = the lowest one.";
            String header = "# " + title + "\n\n" + setting + "\n\n" + legend + "\n\n";
            folder.writeText("comparison.md", header + table);
            folder.writeText("report.html", ComparisonPage.html(title, setting, results, saliency));
            PasteTable paste = RestartsTable.pasteTable(results, title + ": test accuracy per method"
                    + (restarts ? ", mean ± std over seeds " + seeds.stream().map(String::valueOf)
                            .reduce((a, b) -> a + "," + b).orElse("") : ", seed " + seeds.get(0)) + ".");
            folder.writeText("comparison.csv", paste.csv());
            folder.writeText("comparison.tex", paste.latex());
            try (java.io.OutputStream svg = folder.open("comparison.svg")) {
                svg.write(ComparisonPage.accuracySvg(results));
            }
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("dataset", dataset);
            json.put("model", model);
            json.put("seed", seeds.get(0));
            json.put("seeds", seeds);
            json.put("mlxVersion", Provenance.mlxVersion());
            json.put("totalSeconds", total);
            json.put("methods", RestartsTable.json(results));
            List<Map<String, Object>> runs = new ArrayList<>();
            results.forEach(r -> runs.addAll(RestartsTable.perSeed(r)));
            json.put("runs", runs);
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

    /**
     * @param sources folders of earlier comparisons towards the same output
     * @param prefixes where a run of this (method, seed) may sit in them, the current layout first
     * @param spec the run to be done
     * @param loaded its data
     * @return a finished run with exactly these settings (its seed included), if one of the sources has it
     */
    private Optional<RunResult> reusable(List<Path> sources, List<String> prefixes, RunSpec spec,
            DatasetLoader.Loaded loaded) {
        String label = prefixes.get(0).substring(0, prefixes.get(0).length() - 1);
        for (Path source : sources) {
            for (String prefix : prefixes) {
                Optional<RunResult> saved = FinishedRun.matching(source.resolve(prefix), spec, loaded.params(),
                        loaded.data(), catalog);
                if (saved.isPresent()) {
                    settings.err().printf(Locale.ROOT, "%s: reusing the finished run in %s (Avg Acc %.2f%%,"
                            + " Wg Acc %.2f%%)%n", label, source.resolve(prefix),
                            100 * saved.get().test().averageGroupAccuracy(),
                            100 * saved.get().test().worstGroupAccuracy());
                    return saved;
                }
            }
        }
        return Optional.empty();
    }
}
