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
 *
 * <p>With {@code --model resnet18} it measures ResNet-18 (the {@code resnet18} model plugin with
 * its default parameters) on generated {@code 3 x image-size x image-size} images of two classes
 * (a class-dependent bright half plus noise, and a masked decoy patch in the top-left corner whose
 * colour follows the label), ERM and Rand-R4 by default, after one untimed ERM warm-up epoch.
 */
@Command(name = "bench", description = "Measure training throughput of each regularizer and its cost relative to ERM.")
public final class BenchCommand implements Callable<Integer> {
    private static final String RESNET = "resnet18";

    @Option(names = "--methods", split = ",", description = "Regularizers, or 'all' (default: erm,rrr,cert-r4;"
            + " with --model resnet18: erm,rand-r4).")
    List<String> methods;

    @Option(names = "--model", description = "mlp (Decoy-MNIST, default) or resnet18 (generated RGB images).")
    String model = "mlp";

    @Option(names = "--image-size", description = "Side of the generated images for --model resnet18 (default: 64).")
    int imageSize = 64;

    @Option(names = "--examples", description = "Training images per timed epoch (default: 10000; resnet18: 32).")
    Integer examples;

    @Option(names = "--batch-size", description = "Batch size (default: 1000; resnet18: 16).")
    Integer batchSize;

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
        boolean resnet = model.equals(RESNET);
        if (!resnet && !model.equals("mlp")) {
            throw dev.mlx.api.error.MlxException.userError("--model " + model + " is not benchmarked; use mlp or "
                    + RESNET);
        }
        int n = examples != null ? examples : resnet ? 32 : 10_000;
        int batch = batchSize != null ? batchSize : resnet ? 16 : 1000;
        if (n < batch || batch < 1 || repeats < 1 || imageSize < 1) {
            throw dev.mlx.api.error.MlxException.userError("need --examples >= --batch-size >= 1, --repeats >= 1 and"
                    + " --image-size >= 1");
        }
        List<String> requested = methods != null ? methods
                : resnet ? List.of("erm", "rand-r4") : List.of("erm", "rrr", "cert-r4");
        List<String> order = new ArrayList<>(new ComparisonRunner(catalog, settings, engine).resolve(requested));
        order.remove("erm");
        order.add(0, "erm"); // the baseline every ratio refers to, measured in the same run
        order.forEach(catalog::regularizer);
        DataSplit train;
        Architecture arch;
        String what;
        if (resnet) {
            train = generatedImages(n, imageSize, 0);
            arch = catalog.model(RESNET).build(catalog.model(RESNET).parameters().defaults(), train.exampleShape(),
                    train.numClasses());
            what = RESNET + " (default parameters) on generated 3x" + imageSize + "x" + imageSize + " images";
        } else {
            Map<String, String> dsParams = new LinkedHashMap<>(datasetParams);
            dsParams.putIfAbsent("train-limit", Integer.toString(n));
            dsParams.putIfAbsent("test-limit", "1000");
            ExplanationDataset data = DatasetLoader.load(catalog, settings, "decoy-mnist", dsParams, 0, true).data();
            train = data.train();
            arch = catalog.model("mlp").build(catalog.model("mlp").parameters().defaults(), data.exampleShape(),
                    data.numClasses());
            what = arch.toString();
        }
        settings.out().printf(Locale.ROOT, "bench: %s, %d images per epoch, batch %d, median of %d timed epochs after"
                + " 1 warm-up, torch threads %s%n", what, train.size(), batch, repeats,
                System.getProperty("ai.djl.pytorch.num_threads", "default"));
        settings.out().println("| method | s/epoch | samples/s | cost vs erm |");
        settings.out().println("|---|---|---|---|");
        // Warm the JVM and libtorch up on ERM first, so the baseline is not charged for it.
        RegularizerProvider warmUp = catalog.regularizer("erm");
        try (Network net = engine.get().networks().create(arch, train.exampleShape(), 0)) {
            new Trainer(new TrainingConfig(resnet ? 1 : 2, batch, 1e-3, 0, 0)).train(net, train, null,
                    warmUp.create(warmUp.parameters().defaults()), new TrainingListener() {});
        }
        Map<String, Double> seconds = new LinkedHashMap<>();
        for (String method : order) {
            RegularizerProvider provider = catalog.regularizer(method);
            try (Network net = engine.get().networks().create(arch, train.exampleShape(), 0)) {
                List<EpochMetrics> h = new Trainer(new TrainingConfig(repeats + 1, batch, 1e-3, 0, 0))
                        .train(net, train, null, provider.create(provider.parameters().defaults()),
                                new TrainingListener() {});
                double[] times = h.subList(1, h.size()).stream().mapToDouble(EpochMetrics::seconds).sorted().toArray();
                double median = times[times.length / 2];
                seconds.put(method, median);
                Double erm = seconds.get("erm");
                settings.out().printf(Locale.ROOT, "| %s | %.3f | %.1f | %s |%n", method, median, train.size() / median,
                        String.format(Locale.ROOT, "%.2fx", median / erm));
            }
        }
        return 0;
    }

    /**
     * {@code n} generated RGB images of {@code side x side} in two classes: class 0 brightens the
     * top half, class 1 the bottom half, on uniform noise; the top-left quarter-side patch is a
     * decoy coloured by the label and marked irrelevant (mask 1). Seeded, so every method sees the
     * same images.
     */
    static DataSplit generatedImages(int n, int side, long seed) {
        java.util.SplittableRandom random = new java.util.SplittableRandom(seed);
        int f = 3 * side * side;
        int patch = Math.max(1, side / 4);
        float[] inputs = new float[Math.multiplyExact(n, f)];
        float[] masks = new float[inputs.length];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % 2;
            for (int c = 0; c < 3; c++) {
                for (int h = 0; h < side; h++) {
                    for (int w = 0; w < side; w++) {
                        int at = i * f + (c * side + h) * side + w;
                        boolean signal = (h < side / 2) == (labels[i] == 0);
                        boolean decoy = h < patch && w < patch;
                        inputs[at] = (float) (0.3 * random.nextDouble() + (signal ? 0.5 : 0) + (decoy ? labels[i] : 0));
                        masks[at] = decoy ? 1 : 0;
                    }
                }
            }
        }
        return new DataSplit("generated-rgb/train", new int[] {3, side, side}, inputs, masks, labels, new int[n], 2, 1);
    }
}
