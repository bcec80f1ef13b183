package dev.mlx.app.command;

import dev.mlx.app.plugin.PluginCatalog;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code mlx demo}: the main job. Trains the methods of a {@link DemoProfile} on its dataset
 * (fetched if needed), prints the comparison table and writes it with every run's folder,
 * {@code comparison.md} and {@code report.html}. The default profile trains ERM, RRR and Cert-R4
 * on Decoy-MNIST with the papers' settings; {@code --profile text} (or {@code --dataset decoy-imdb})
 * trains ERM and Adv-R4 ({@code token-adv-r4}) on Decoy-IMDB with the pretrained MiniLM, {@code
 * --profile spam} (or {@code --dataset decoy-spam}) the same on Decoy-Spam.
 */
@Command(name = "demo", description = "Train a profile's methods and print/write the comparison table. Profiles:"
        + " vision (default): erm, rrr, cert-r4 on decoy-mnist with the mlp;"
        + " text (also chosen by --dataset decoy-imdb): erm, adv-r4 (runs token-adv-r4) on decoy-imdb with minilm,"
        + " 2000 training reviews of at most 64 tokens (test decoys within them), 1 epoch, batch 16 in 4 fragments, lr 1e-4;"
        + " spam (also chosen by --dataset decoy-spam): the same on decoy-spam (SpamAssassin e-mails).")
public final class DemoCommand implements Callable<Integer> {
    @Option(names = "--profile", description = "vision, text or spam (default: text for --dataset decoy-imdb, spam for"
            + " --dataset decoy-spam, else vision).")
    String profile;

    @Option(names = "--methods", split = ",", description = "Regularizers to compare (default: the profile's).")
    List<String> methods;

    @Option(names = "--dataset", description = "Dataset plugin (default: the profile's).")
    String dataset;

    @Option(names = "--model", description = "Model plugin (default: the profile's: mlp or minilm).")
    String model;

    @Option(names = "--dataset-param", description = "Dataset hyper-parameter, key=value (e.g. train-limit=6000); over"
            + " the profile's.")
    Map<String, String> datasetParams = new LinkedHashMap<>();

    @Option(names = "--epochs", description = "Override every method's epochs (default: the profile's, else the"
            + " papers' per-method values).")
    Integer epochs;

    @Option(names = "--fragments", description = "Gradient accumulation: fragments per batch (default: the"
            + " profile's; 1 for vision, 4 for text).")
    Integer fragments;

    @Mixin
    SeedOptions seeds;

    @Option(names = {"-o", "--out"}, description = "Output folder (default: runs/demo, runs/demo-text for text).")
    Path out;

    @Option(names = "--overwrite", description = "Replace an existing output folder once the new one is complete.")
    boolean overwrite;

    private final ComparisonRunner runner;

    @Inject
    public DemoCommand(PluginCatalog catalog, AppSettings settings, EngineHolder engine) {
        this.runner = new ComparisonRunner(catalog, settings, engine);
    }

    /**
     * What the demo will run: the profile's settings with the command-line options applied.
     *
     * @param profile the chosen profile
     * @param dataset the dataset plugin
     * @param model the model plugin
     * @param methods the regularizers (not yet checked against the plugins)
     * @param datasetParams the dataset parameters
     * @param training the training settings replacing the methods' defaults
     * @param out the output folder
     */
    record Plan(DemoProfile profile, String dataset, String model, List<String> methods,
            Map<String, String> datasetParams, TrainingOverrides training, Path out) {}

    /** @return the resolved settings (no plugin is looked up and nothing is trained) */
    Plan plan() {
        DemoProfile p = DemoProfile.choose(profile, dataset);
        String ds = dataset != null ? dataset : p.dataset();
        Map<String, String> params = new LinkedHashMap<>();
        if (ds.equals(p.dataset())) {
            params.putAll(p.datasetParams());
        }
        params.putAll(datasetParams);
        TrainingOverrides training = p.training().overriddenBy(new TrainingOverrides(epochs, null, null, fragments));
        return new Plan(p, ds, model != null ? model : p.model(), methods != null ? methods : p.methods(),
                Map.copyOf(params), training, out != null ? out : p.out());
    }

    @Override
    public Integer call() {
        Plan plan = plan();
        List<String> resolved = runner.resolve(plan.methods(), plan.model());
        runner.run("mlx demo (" + plan.profile().name() + " profile): " + String.join(", ", resolved) + " on "
                + plan.dataset() + " with " + plan.model(), plan.dataset(), plan.datasetParams(), plan.model(), resolved,
                plan.training(), seeds.seeds(), plan.out(), overwrite, false);
        return 0;
    }
}
