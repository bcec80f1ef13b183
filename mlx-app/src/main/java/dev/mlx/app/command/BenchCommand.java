package dev.mlx.app.command;

import dev.mlx.api.data.DataSplit;
import dev.mlx.api.data.ExplanationDataset;
import dev.mlx.api.model.Architecture;
import dev.mlx.api.train.RegularizerProvider;
import dev.mlx.app.plugin.PluginCatalog;
import dev.mlx.engine.nn.Network;
import dev.mlx.engine.train.EpochMetrics;
import dev.mlx.engine.train.Trainer;
import dev.mlx.engine.train.TrainingConfig;
import dev.mlx.engine.train.TrainingListener;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code mlx bench}: training throughput (samples/s) of each regularizer on the Decoy-MNIST MLP,
 * and each method's cost as a multiple of ERM's, measured in the same process.
 *
 * <p>After two untimed ERM epochs that warm the JVM and libtorch up, each method trains a fresh
 * network on the first {@code examples} training images: one warm-up epoch, then {@code repeats}
 * timed epochs; the median epoch time is reported.
 */
@Command(name = "bench", description = "Measure training throughput of each regularizer and its cost relative to ERM.")
public final class BenchCommand implements Callable<Integer> {
    @Option(names = "--methods", split = ",", description = "Regularizers, or 'all' (default: erm,rrr,cert-r4).")
    List<String> methods = List.of("erm", "rrr", "cert-r4");

    @Option(names = "--examples", description = "Training images per timed epoch (default: 10000).")
    int examples = 10_000;

    @Option(names = "--batch-size", description = "Batch size (default: 1000).")
    int batchSize = 1000;

    @Option(names = "--repeats", description = "Timed epochs per method (default: 3).")
    int repeats = 3;

    @Option(names = "--dataset-param", description = "Dataset hyper-parameter, key=value.")
    Map<String, String> datasetParams = new LinkedHashMap<>();

    private final PluginCatalog catalog;
    private final AppSettings settings;
    private final EngineHolder engine;

    @Inject
    public BenchCommand(PluginCatalog catalog, AppSettings settings, EngineHolder engine) {
        this.catalog = catalog;
        this.settings = settings;
        this.engine = engine;
    }

    @Override
    public Integer call() {
        if (examples < batchSize || repeats < 1) {
            throw dev.mlx.api.error.MlxException.userError("need --examples >= --batch-size and --repeats >= 1");
        }
        List<String> order = new ArrayList<>(new ComparisonRunner(catalog, settings, engine).resolve(methods));
        order.remove("erm");
        order.add(0, "erm"); // the baseline every ratio refers to, measured in the same run
        order.forEach(catalog::regularizer);
        Map<String, String> dsParams = new LinkedHashMap<>(datasetParams);
        dsParams.putIfAbsent("train-limit", Integer.toString(examples));
        dsParams.putIfAbsent("test-limit", "1000");
        ExplanationDataset data = DatasetLoader.load(catalog, settings, "decoy-mnist", dsParams, 0, true).data();
        DataSplit train = data.train();
        Architecture arch = catalog.model("mlp").build(catalog.model("mlp").parameters().defaults(),
                data.exampleShape(), data.numClasses());
        settings.out().printf(Locale.ROOT, "bench: %s, %d images per epoch, batch %d, median of %d timed epochs after"
                + " 1 warm-up, torch threads %s%n", arch, train.size(), batchSize, repeats,
                System.getProperty("ai.djl.pytorch.num_threads", "default"));
        settings.out().println("| method | s/epoch | samples/s | cost vs erm |");
        settings.out().println("|---|---|---|---|");
        // Warm the JVM and libtorch up on ERM first, so the baseline is not charged for it.
        RegularizerProvider warmUp = catalog.regularizer("erm");
        try (Network net = engine.get().networks().create(arch, data.exampleShape(), 0)) {
            new Trainer(new TrainingConfig(2, batchSize, 1e-3, 0, 0)).train(net, train, null,
                    warmUp.create(warmUp.parameters().defaults()), new TrainingListener() {});
        }
        Map<String, Double> seconds = new LinkedHashMap<>();
        for (String method : order) {
            RegularizerProvider provider = catalog.regularizer(method);
            try (Network net = engine.get().networks().create(arch, data.exampleShape(), 0)) {
                List<EpochMetrics> h = new Trainer(new TrainingConfig(repeats + 1, batchSize, 1e-3, 0, 0))
                        .train(net, train, null, provider.create(provider.parameters().defaults()),
                                new TrainingListener() {});
                double[] times = h.subList(1, h.size()).stream().mapToDouble(EpochMetrics::seconds).sorted().toArray();
                double median = times[times.length / 2];
                seconds.put(method, median);
                Double erm = seconds.get("erm");
                settings.out().printf(Locale.ROOT, "| %s | %.3f | %.0f | %s |%n", method, median, train.size() / median,
                        String.format(Locale.ROOT, "%.2fx", median / erm));
            }
        }
        return 0;
    }
}
