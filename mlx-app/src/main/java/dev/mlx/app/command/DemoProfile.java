package dev.mlx.app.command;

import dev.mlx.api.error.MlxException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A preset of {@code mlx demo}: which dataset, model and methods it compares, with which dataset
 * parameters and training settings, and where it writes.
 *
 * <ul>
 *   <li>{@code vision} (the default): ERM, RRR and Cert-R4 on Decoy-MNIST with the MLP, each
 *       method with the papers' own settings ({@link dev.mlx.app.run.MethodDefaults}).</li>
 *   <li>{@code text}: ERM and Adv-R4 ({@code adv-r4}, which on the token model runs its counterpart
 *       {@code token-adv-r4}, the GCG substitution search) on
 *       Decoy-IMDB, fine-tuning the pretrained MiniLM; a short run sized for a 2-core CPU (a few
 *       thousand reviews capped at 64 tokens, each test review's decoy among the words within them
 *       ({@code test-decoy=visible}), one epoch, batches of 16 back-propagated in four
 *       fragments of 4 so memory stays small).</li>
 *   <li>{@code spam}: the same methods and sizes as {@code text} on Decoy-Spam (SpamAssassin
 *       e-mails with the decoys {@code zebra} / {@code walnut}).</li>
 * </ul>
 *
 * <p>The text profile's size was chosen from measured step costs: one batch of 16 reviews of 64
 * tokens on {@code minilm} costs 3.2 s of CPU for {@code erm} (2.8 s in 4 fragments) and 13.6 s
 * for {@code token-adv-r4} (GCG candidate selection by gradient, the default), with 2 fragments (one torch thread;
 * process CPU time of a 9-step {@code mlx train} run minus that of a 1-step run, over 8; seed 0;
 * on the shared 2-core machine at load average 9 to 14, where the wall times per batch were 12.9 s
 * and 63 s). With 2,000 training reviews that is about 35 minutes of single-thread compute for
 * training, plus about a minute per method to evaluate the 1,000 test reviews; two torch threads on
 * an idle machine take less. Fragments bound the memory of token-adv-r4's double backprop: the
 * peak resident memory of 3-step runs was 6.4 GB with 1 fragment, 3.3 GB with 2 and 2.1 GB with
 * 4, at about the same CPU time (70, 55 and 58 s for the whole run).
 *
 * <p>The profile is {@code --profile}, or else the one whose dataset is {@code --dataset} (so
 * {@code --dataset decoy-imdb} selects {@code text}, {@code --dataset decoy-spam} {@code spam}), or else
 * {@code vision}. Every explicit option
 * replaces the profile's value; the profile's dataset parameters apply only to its own dataset.
 *
 * @param name the profile's name
 * @param dataset the dataset plugin
 * @param model the model plugin
 * @param methods the regularizers, in order
 * @param datasetParams dataset parameters (under the user's {@code --dataset-param} values)
 * @param training training settings replacing the methods' defaults
 * @param out the default output folder
 */
record DemoProfile(String name, String dataset, String model, List<String> methods, Map<String, String> datasetParams,
        TrainingOverrides training, Path out) {

    static final DemoProfile VISION = new DemoProfile("vision", "decoy-mnist", "mlp", List.of("erm", "rrr", "cert-r4"),
            Map.of(), TrainingOverrides.NONE, Path.of("runs", "demo"));

    static final DemoProfile TEXT = new DemoProfile("text", "decoy-imdb", "minilm", List.of("erm", "adv-r4"),
            Map.of("train-size", "2000", "test-size", "1000", "max-length", "64", "test-decoy", "visible"),
            new TrainingOverrides(1, 16, 1e-4, 4), Path.of("runs", "demo-text"));

    static final DemoProfile SPAM = new DemoProfile("spam", "decoy-spam", "minilm", List.of("erm", "adv-r4"),
            Map.of("train-size", "2000", "test-size", "1000", "max-length", "64"),
            new TrainingOverrides(1, 16, 1e-4, 4), Path.of("runs", "demo-spam"));

    static final List<DemoProfile> ALL = List.of(VISION, TEXT, SPAM);

    DemoProfile {
        methods = List.copyOf(methods);
        datasetParams = Map.copyOf(datasetParams);
    }

    /**
     * @param profile the {@code --profile} value, or {@code null}
     * @param dataset the {@code --dataset} value, or {@code null}
     * @return the named profile, else the one for {@code dataset}, else {@link #VISION}
     * @throws MlxException (user error) for an unknown profile name, listing the known ones
     */
    static DemoProfile choose(String profile, String dataset) {
        if (profile != null) {
            return ALL.stream().filter(p -> p.name.equals(profile)).findFirst()
                    .orElseThrow(() -> MlxException.userError("unknown demo profile '" + profile + "'; known profiles: "
                            + ALL.stream().map(DemoProfile::name).collect(Collectors.joining(", "))));
        }
        if (dataset != null) {
            return ALL.stream().filter(p -> p.dataset.equals(dataset)).findFirst().orElse(VISION);
        }
        return VISION;
    }
}
