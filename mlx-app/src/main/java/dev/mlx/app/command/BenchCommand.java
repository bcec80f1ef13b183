package dev.mlx.app.command;

import dev.mlx.api.data.DataSplit;
import dev.mlx.api.error.MlxException;
import dev.mlx.api.error.UnsupportedCapabilityException;
import dev.mlx.api.train.Regularizer;
import dev.mlx.api.train.RegularizerProvider;
import dev.mlx.app.plugin.PluginCatalog;
import dev.mlx.engine.OperatorTrace;
import dev.mlx.engine.nn.Network;
import dev.mlx.engine.train.EpochMetrics;
import dev.mlx.engine.train.Trainer;
import dev.mlx.engine.train.TrainingConfig;
import dev.mlx.engine.train.TrainingListener;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code mlx bench}: training throughput (samples/s) of each regularizer on one image model, and
 * each method's cost as a multiple of ERM's, measured in the same process.
 *
 * <p>Order of work: build the {@link BenchWorkload} (Decoy-MNIST for {@code mlp}, generated
 * images of the model's input size for any other image model, or {@code --dataset}); warm the
 * JVM and libtorch up with untimed ERM epochs for twice {@code --warmup} seconds; then for ERM
 * first and each other method a fresh network (seed 0, the method's default hyper-parameters)
 * trains untimed epochs for {@code --warmup} seconds (at least one) and then, in one trainer run,
 * one more untimed epoch and {@code repeats} timed epochs on the same images. The table gives the median epoch time {@code t},
 * {@code samples/s = n / t} and {@code cost = t / t_ERM}.
 *
 * <p>The warm-up is by time, not by epochs, because the JVM compiles a step's Java code (DJL's
 * bindings, the trainer, a method's own code) only after thousands of calls, on the same cores as
 * libtorch's threads: the Decoy-MNIST MLP's ERM steps at 2 threads kept getting faster for about
 * 130 steps (docs/performance.md), where one warm-up epoch is 10 steps.
 *
 * <p>A method that cannot run on the model is not an error: its row says {@code skipped} and
 * why. That is a token method ({@link RegularizerProvider#forTokenModels()}) on an image model,
 * or a method whose first training step raises {@link UnsupportedCapabilityException} (e.g.
 * interval bounds through a layer the bounds do not support, such as BatchNorm2d with batch
 * statistics in {@code resnet18}'s default {@code batchnorm-mode=train}). ERM is never skipped.
 */
@Command(name = "bench", description = "Measure training throughput of each regularizer and its cost relative to ERM.")
public final class BenchCommand implements Callable<Integer> {
    private static final String MLP = "mlp";
    private static final String RESNET = "resnet18";

    @Option(names = "--methods", split = ",", description = "Regularizers, or 'all' (default: erm,rrr,cert-r4;"
            + " with --model resnet18: erm,rand-r4).")
    List<String> methods;

    @Option(names = {"-m", "--model"}, description = "Image model plugin: mlp (on Decoy-MNIST, default), derma-cnn,"
            + " isic-cnn, plant-cnn, resnet18 (on generated images of --image-size) or any other.")
    String model = MLP;

    @Option(names = "--model-param", description = "Model hyper-parameter, key=value (e.g. size=small for derma-cnn).")
    Map<String, String> modelParams = new LinkedHashMap<>();

    @Option(names = {"-d", "--dataset"}, description = "Train on this dataset's first --examples training images"
            + " instead of generated images (default for mlp: decoy-mnist).")
    String dataset;

    @Option(names = "--dataset-param", description = "Dataset hyper-parameter, key=value.")
    Map<String, String> datasetParams = new LinkedHashMap<>();

    @Option(names = "--image-size", description = "Side of the generated images (default: the model's paper size;"
            + " derma-cnn 64, isic-cnn 299, plant-cnn 213, resnet18 64, others 64).")
    Integer imageSize;

    @Option(names = "--channels", description = "Channels of the generated images (default: 3).")
    int channels = 3;

    @Option(names = "--examples", description = "Training images per timed epoch (default: 10000 for mlp, else 32).")
    Integer examples;

    @Option(names = "--batch-size", description = "Batch size (default: 1000 for mlp, else 16).")
    Integer batchSize;

    @Option(names = "--repeats", description = "Timed epochs per method (default: 3).")
    int repeats = 3;

    @Option(names = "--warmup", description = "Seconds of untimed training of each method before its timed epochs"
            + " (at least one epoch; default: 2), and twice as long of ERM before the first method.")
    double warmup = 2;

    @Option(names = "--op-trace", description = "Write libtorch's operator trace of each method's timed epochs to"
            + " DIR/METHOD.json (Chrome trace format; bench/op-trace-summary.py sums it by operator and shape).")
    Path opTrace;

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
        boolean mlp = model.equals(MLP);
        int n = examples != null ? examples : mlp ? 10_000 : 32;
        int batch = batchSize != null ? batchSize : mlp ? 1000 : 16;
        if (n < batch || batch < 1 || repeats < 1 || (imageSize != null && imageSize < 1) || channels < 1
                || !(warmup >= 0 && warmup <= 3600)) {
            throw MlxException.userError("need --examples >= --batch-size >= 1, --repeats >= 1, --image-size >= 1,"
                    + " --channels >= 1 and 0 <= --warmup <= 3600 (seconds)");
        }
        List<String> requested = methods != null ? methods
                : model.equals(RESNET) ? List.of("erm", "rand-r4") : List.of("erm", "rrr", "cert-r4");
        List<String> order = new ArrayList<>(new ComparisonRunner(catalog, settings, engine).resolve(requested));
        order.remove("erm");
        order.add(0, "erm"); // the baseline every ratio refers to, measured in the same run
        if (opTrace != null) {
            try {
                Files.createDirectories(opTrace);
            } catch (java.io.IOException e) {
                throw MlxException.userError("cannot create the operator-trace folder " + opTrace + ": " + e.getMessage());
            }
        }
        BenchWorkload work = BenchWorkload.of(catalog, settings, new BenchWorkload.Request(model, modelParams,
                dataset, datasetParams, n, imageSize, channels));
        DataSplit train = work.train();
        settings.out().printf(Locale.ROOT, "bench: %s, %d images per epoch, batch %d, median of %d timed epochs after"
                + " %s s of warm-up, torch threads %s%n", work.description(), train.size(), Math.min(batch,
                train.size()), repeats, seconds(warmup), System.getProperty("ai.djl.pytorch.num_threads", "default"));
        settings.out().println("| method | s/epoch | samples/s | cost vs erm |");
        settings.out().println("|---|---|---|---|");
        // Warm the JVM and libtorch up on ERM first, so the baseline is not charged for it.
        time(work, "erm", 2 * warmup, 1, batch, false);
        Double erm = null;
        for (String method : order) {
            RegularizerProvider provider = catalog.regularizer(method);
            if (provider.forTokenModels()) {
                skipped(method, "a token method; it needs a text model (token-id inputs)");
                continue;
            }
            double median;
            try {
                median = time(work, method, warmup, repeats, batch, true);
            } catch (UnsupportedCapabilityException e) {
                if (erm == null) {
                    throw e;
                }
                skipped(method, e.getMessage().replace('|', '/'));
                continue;
            }
            if (erm == null) {
                erm = median;
            }
            settings.out().printf(Locale.ROOT, "| %s | %.3f | %.1f | %.2fx |%n", method, median, train.size() / median,
                    median / erm);
        }
        return 0;
    }

    /**
     * Trains a fresh network (seed 0) with {@code method}'s default hyper-parameters: untimed epochs,
     * one trainer run each, until {@code warmupSeconds} have passed (at least one); then one trainer
     * run of an untimed epoch and {@code timedEpochs} timed ones, so that the timed epochs (and their
     * operator trace) hold the steps only, not a run's set-up (the split's upload, the optimiser's
     * moments). An epoch's time is the trainer's own.
     *
     * @param trace whether to write the operator trace of the timed epochs (with {@code --op-trace})
     * @return the median time of the timed epochs
     */
    private double time(BenchWorkload work, String method, double warmupSeconds, int timedEpochs, int batch,
            boolean trace) {
        RegularizerProvider provider = catalog.regularizer(method);
        DataSplit train = work.train();
        Regularizer regularizer = provider.create(provider.parameters().defaults());
        OperatorTrace[] running = new OperatorTrace[1];
        try (Network net = engine.get().networks().create(work.architecture(), train.exampleShape(), 0)) {
            Trainer oneEpoch = new Trainer(new TrainingConfig(1, batch, 1e-3, 0, 0));
            long warmUntil = System.nanoTime() + (long) (warmupSeconds * 1e9);
            do {
                oneEpoch.train(net, train, null, regularizer, new TrainingListener() {});
            } while (System.nanoTime() < warmUntil);
            // the trace covers the timed epochs: it starts when the run's untimed first epoch ends
            TrainingListener listener = !(trace && opTrace != null) ? new TrainingListener() {}
                    : new TrainingListener() {
                        @Override
                        public void onEpoch(EpochMetrics metrics) {
                            if (metrics.epoch() == 1) {
                                running[0] = OperatorTrace.start(opTrace.resolve(method + ".json"));
                            }
                        }
                    };
            List<EpochMetrics> h;
            try {
                h = new Trainer(new TrainingConfig(timedEpochs + 1, batch, 1e-3, 0, 0)).train(net, train, null,
                        regularizer, listener);
            } finally {
                if (running[0] != null) {
                    running[0].close();
                }
            }
            double[] times = h.subList(1, h.size()).stream().mapToDouble(EpochMetrics::seconds).sorted().toArray();
            return times[times.length / 2];
        }
    }

    private static String seconds(double s) {
        return s == Math.rint(s) ? String.valueOf((long) s) : String.valueOf(s);
    }

    private void skipped(String method, String reason) {
        settings.out().printf(Locale.ROOT, "| %s | - | - | skipped: %s |%n", method, reason);
    }
}
