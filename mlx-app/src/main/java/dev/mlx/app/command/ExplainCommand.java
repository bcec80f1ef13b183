package dev.mlx.app.command;

import dev.mlx.api.attribution.AttributionMethod;
import dev.mlx.api.attribution.AttributionProvider;
import dev.mlx.api.data.DataSplit;
import dev.mlx.api.error.ErrorKind;
import dev.mlx.api.error.MlxException;
import dev.mlx.app.report.Png;
import dev.mlx.app.report.Saliency;
import dev.mlx.app.report.SaliencyExamples;
import dev.mlx.app.report.SaliencyFigure;
import dev.mlx.app.run.SavedRun;
import dev.mlx.engine.MlxEngine;
import dev.mlx.engine.nn.Network;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code mlx explain}: saliency maps of a saved run. Restores the run's network ({@link SavedRun}: the
 * dataset rebuilt and checked against the run's checksum, the weights checked to cover the model),
 * explains the chosen examples of one split with an attribution plugin chosen by name, and writes
 * one PNG per example ({@link SaliencyFigure}: input, mask outline over the input, attribution heat
 * map with a colour bar) named {@code <method>-<split>-<index>.png}. The class explained is the true
 * label ({@code --target label}, the default) or the model's prediction ({@code --target prediction}).
 * Examples are explained in batches of {@value #BATCH}; all figures are computed before any file is
 * written.
 */
@Command(name = "explain", description = "Write saliency-map PNGs (input, mask outline, attribution heat map) for"
        + " chosen examples of a saved run.")
public final class ExplainCommand implements Callable<Integer> {
    static final int BATCH = 64;
    static final int DEFAULT_COUNT = 8;

    @Parameters(index = "0", paramLabel = "<run-folder>", description = "A run folder written by `mlx train` (or"
            + " one method's folder of `mlx demo`/`mlx compare`).")
    Path run;

    @Option(names = "--examples", split = ",", paramLabel = "<i>",
            description = "Indices of the examples to explain, e.g. 0,5,17 (default: the first of each class).")
    List<Integer> examples;

    @Option(names = "--count", description = "How many examples, the first of each class first (default: "
            + DEFAULT_COUNT + "); not with --examples.")
    Integer count;

    @Mixin
    SplitOption split;

    @Option(names = "--method", description = "Attribution plugin (default: input-gradient; `mlx plugins` lists"
            + " them).")
    String method = "input-gradient";

    @Option(names = {"-P", "--method-param"}, description = "Attribution hyper-parameter, key=value (repeatable),"
            + " e.g. -P samples=50.")
    Map<String, String> methodParams = new LinkedHashMap<>();

    @Option(names = "--target", description = "The class explained: label or prediction (default: label).")
    String target = "label";

    @Option(names = "--seed", description = "Seed of the method's randomness (default: the run's seed).")
    Long seed;

    @Option(names = {"-o", "--out"}, description = "Folder of the PNG files (default: <run-folder>/explain).")
    Path out;

    @Mixin
    RunRestorer restorer;

    @Override
    public Integer call() {
        split.check();
        SaliencyExamples.Target explained = switch (target) {
            case "label" -> SaliencyExamples.Target.LABEL;
            case "prediction" -> SaliencyExamples.Target.PREDICTION;
            default -> throw MlxException.userError("--target " + target + " is not a target; use label or"
                    + " prediction");
        };
        if (examples != null && count != null) {
            throw MlxException.userError("give either --examples or --count, not both");
        }
        if (count != null && count < 1) {
            throw MlxException.userError("--count must be at least 1, got " + count);
        }
        AttributionProvider provider = restorer.catalog().attribution(method);
        AttributionMethod attribution = provider.create(provider.parameters().bind(method, methodParams));
        RunRestorer.Prepared prepared = restorer.prepare(SavedRun.open(run));
        SavedRun saved = prepared.saved();
        DatasetLoader.Loaded loaded = prepared.loadData();
        DataSplit data = split.of(loaded.data());
        checkImages(data);
        int[] indices = indices(data);
        long methodSeed = seed != null ? seed : saved.seed();

        MlxEngine mlx = restorer.engine();
        List<Saliency> explainedExamples = new ArrayList<>();
        try (Network network = prepared.network(loaded.data())) {
            for (int from = 0; from < indices.length; from += BATCH) {
                int[] batch = Arrays.copyOfRange(indices, from, Math.min(indices.length, from + BATCH));
                explainedExamples.addAll(SaliencyExamples.compute(network, mlx.manager(), data, batch, attribution,
                        explained, methodSeed));
            }
        }
        Path folder = out != null ? out : run.resolve("explain");
        try {
            Files.createDirectories(folder);
        } catch (IOException e) {
            throw new MlxException(ErrorKind.RESOURCES, "cannot create " + folder + ": " + e.getMessage(), e);
        }
        for (Saliency s : explainedExamples) {
            Path file = folder.resolve(String.format(Locale.ROOT, "%s-%s-%d.png", method, split.name(), s.index()));
            Png.write(SaliencyFigure.render(s, method, split.name()), file);
            restorer.out().printf(Locale.ROOT, "%s example %d: label %d, predicted %d, explained class %d -> %s%n",
                    split.name(), s.index(), s.label(), s.predicted(), s.explainedClass(), file);
        }
        restorer.out().printf(Locale.ROOT, "%d saliency maps (%s) written to %s%n", explainedExamples.size(), method,
                folder);
        return 0;
    }

    private int[] indices(DataSplit data) {
        if (examples == null) {
            return SaliencyExamples.firstOfEachClass(data, count != null ? count : DEFAULT_COUNT);
        }
        Set<Integer> unique = new LinkedHashSet<>();
        for (Integer i : examples) {
            if (i == null || i < 0 || i >= data.size()) {
                throw MlxException.userError("--examples " + i + " is not an example of " + data.name()
                        + "; choose indices in 0.." + (data.size() - 1));
            }
            unique.add(i);
        }
        return unique.stream().mapToInt(Integer::intValue).toArray();
    }

    private static void checkImages(DataSplit data) {
        int[] shape = data.exampleShape();
        if (!Saliency.isImageShape(shape)) {
            throw MlxException.userError(data.name() + " has examples of shape " + Arrays.toString(shape)
                    + "; mlx explain draws image examples ([H, W] or [C, H, W] with 1 or 3 channels) only");
        }
    }
}
