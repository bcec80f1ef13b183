package dev.mlx.app.run;

import java.util.Map;

/**
 * Per-method training defaults (epochs, learning rate, batch size) from the papers'
 * hyper-parameter tables (reference spec §11.1, Decoy-MNIST: batch 1000, Adam, no weight decay;
 * every method of the R4 paper's Table 1 has its own row).
 * Used when the user does not set them.
 *
 * @param epochs default epochs
 * @param learningRate default learning rate
 * @param batchSize default batch size
 * @param regularizerParams default hyper-parameters of the regularizer on this dataset, under the
 *     user's own (a user value always wins)
 */
public record MethodDefaults(int epochs, double learningRate, int batchSize, Map<String, String> regularizerParams) {
    /**
     * Defaults that keep the regularizer's own hyper-parameter defaults.
     *
     * @param epochs default epochs
     * @param learningRate default learning rate
     * @param batchSize default batch size
     */
    public MethodDefaults(int epochs, double learningRate, int batchSize) {
        this(epochs, learningRate, batchSize, Map.of());
    }

    public MethodDefaults {
        regularizerParams = Map.copyOf(regularizerParams);
    }

    /**
     * IG-NORM and IG-SUM-NORM on Decoy-MNIST. The exact attack costs about 3M input-Hessian products per
     * PGD step (179 samples/s with the defaults M = 10, 10 steps: 2.3 h for 25 epochs on 2 cores), so mlx
     * uses 5 PGD steps covering 4/3 of the radius (the reference's 40 steps of 0.01 at 0.3 travel the same)
     * and M = 5 Riemann points (the reference's "approx" uses 10), for 10 epochs. The radius 0.1 (the
     * reference's Decoy-MNIST test epsilon, spec §11.1) was chosen on validation Wg
     * (docs/results/sweeps/stage1-robust: IG-NORM 76.4 % against 19.9 % at the paper's MNIST 0.3; IG-SUM-NORM,
     * which trains on CE(x') alone, collapses to a constant prediction at 0.3), with lambda at the plugins'
     * defaults (IG-NORM 1; IG-SUM-NORM 0.1, 74.2 % against 59.2 % at 1) and lr 0.001.
     */
    private static final Map<String, String> CHEAP_IG = Map.of(
            "steps", "5", "step-size", "0.027", "ig-steps", "5", "epsilon", "0.1");

    private static final Map<String, MethodDefaults> DECOY_MNIST = Map.ofEntries(
            Map.entry("erm", new MethodDefaults(30, 0.01, 1000)),
            Map.entry("rrr", new MethodDefaults(25, 0.025, 1000)),
            Map.entry("smooth-rrr", new MethodDefaults(15, 0.001, 1000)),
            // chosen on validation Wg over 3 seeds on the full data (docs/results/sweeps/ibp-ex): test Wg
            // 90.98 ± 2.16 % against 41.63 % with the reference's lr 0.075 and lambda 1 (the paper: 83.65 ± 4.2)
            Map.entry("ibp-ex", new MethodDefaults(30, 3e-4, 1000, Map.of("lambda", "3"))),
            // chosen on validation Wg (docs/results/sweeps/stage1, then ibp-ex-rrr over 3 seeds on the full data):
            // test Wg 96.47 ± 0.84 % against 48.66 % with lr 0.01 and lambda-rrr 1 (the paper: 88.05 ± 1.9)
            Map.entry("ibp-ex-rrr", new MethodDefaults(30, 0.003, 1000, Map.of("lambda", "10", "lambda-rrr", "10"))),
            // chosen on validation Wg (docs/results/sweeps/stage1c..1f-rand-r4: 10k images, 20 epochs; the noise box
            // widened from the reference's 0.5 to 5, lr from 0.001 to 0.003, and the L2 term inside the penalty
            // (weight-l2, multiplied by lambda) dropped, which had made the model underfit; then rand-r4-wc: full data,
            // 3 seeds, lambda 500 against lambda 50 with weight-l2 3e-5): see docs/results/sweeps/README.md for the
            // test figures; the reference's setting (lambda 15, epsilon 0.5, weight-l2 1e-4, lr 0.001) reached 33.60 %
            // test Wg (seed 0), the paper reports 88.92 ± 1.4
            Map.entry("rand-r4", new MethodDefaults(30, 0.003, 1000,
                    Map.of("lambda", "500", "epsilon", "5", "weight-l2", "0"))),
            Map.entry("adv-r4", new MethodDefaults(30, 0.002, 1000)),
            Map.entry("cert-r4", new MethodDefaults(25, 0.001, 1000)),
            // not in the R4 paper's table: ERM's setting as the starting point
            // chosen on validation Wg (docs/results/sweeps/stage1-others, stage1b-others), confirmed over 3 seeds on the
            // full data (docs/results/sweeps/others): test Wg 96.82 ± 0.10 %
            Map.entry("corm", new MethodDefaults(30, 0.001, 1000, Map.of("sigma", "3"))),
            // PGD-Ex and CDEP: chosen on validation Wg (docs/results/sweeps/stage1-others, stage1b-others: 10k images,
            // 10 epochs, lr 0.001), run over 3 seeds on the full data (docs/results/sweeps/others2); CDEP collapses to a
            // constant prediction past lambda 100
            Map.entry("pgd-ex", new MethodDefaults(30, 0.001, 1000, Map.of("lambda", "10", "epsilon", "1"))),
            Map.entry("cdep", new MethodDefaults(30, 0.001, 1000, Map.of("lambda", "100"))),
            // seeds 003/004 (no Decoy-MNIST row anywhere): ERM's setting for the smoothness priors,
            // the Cert-R4/Adv-R4 setting for the adversarial ones
            // input-gradient and marginal-density: chosen as CoRM (masked, lambda 10); test Wg 94.78 ± 1.35 % and
            // 96.75 ± 0.12 % over 3 seeds (docs/results/sweeps/others)
            Map.entry("input-gradient", new MethodDefaults(30, 0.001, 1000, Map.of("masked", "true", "lambda", "10"))),
            Map.entry("marginal-density", new MethodDefaults(30, 0.001, 1000,
                    Map.of("masked", "true", "lambda", "10"))),
            // PGD-AT, IG-NORM, IG-SUM-NORM: chosen on validation Wg (docs/results/sweeps/stage1-robust: 10k images,
            // 10 epochs, lr 0.001); PGD-AT at epsilon 0.1 (75.7 %; 0.3 collapses with mix 1)
            Map.entry("pgd-at", new MethodDefaults(30, 0.001, 1000, Map.of("epsilon", "0.1"))),
            Map.entry("ig-norm", new MethodDefaults(10, 0.001, 1000, CHEAP_IG)),
            Map.entry("ig-sum-norm", new MethodDefaults(10, 0.001, 1000, CHEAP_IG)));
    /**
     * Decoy-Fashion-MNIST (no paper has it): each method's choice on validation Wg in a first search
     * (docs/results/sweeps/fashion-stage1, fashion-stage1b: 10k images, 10 epochs; its Decoy-MNIST setting and a
     * stronger or weaker regularizer or learning rate beside it), run over 3 seeds on the full data at 30 epochs
     * (docs/results/sweeps/fashion).
     */
    private static final Map<String, MethodDefaults> DECOY_FASHION_MNIST = Map.ofEntries(
            Map.entry("erm", new MethodDefaults(30, 0.001, 1000)),
            // lambdas written out where they equal the plugin's default too: the searches chose them
            Map.entry("rrr", new MethodDefaults(30, 0.001, 1000, Map.of("lambda", "10"))),
            Map.entry("smooth-rrr", new MethodDefaults(30, 0.001, 1000, Map.of("lambda", "10"))),
            Map.entry("ibp-ex", new MethodDefaults(30, 0.001, 1000, Map.of("lambda", "3"))),
            Map.entry("ibp-ex-rrr", new MethodDefaults(30, 0.003, 1000, Map.of("lambda", "10", "lambda-rrr", "100"))),
            Map.entry("cert-r4", new MethodDefaults(30, 0.001, 1000, Map.of("lambda", "15"))),
            Map.entry("adv-r4", new MethodDefaults(30, 0.002, 1000, Map.of("lambda", "14"))),
            Map.entry("rand-r4", new MethodDefaults(30, 0.003, 1000,
                    Map.of("lambda", "500", "epsilon", "5", "weight-l2", "0"))),
            Map.entry("corm", new MethodDefaults(30, 0.001, 1000, Map.of("sigma", "1"))),
            Map.entry("input-gradient", new MethodDefaults(30, 0.001, 1000, Map.of("masked", "true", "lambda", "10"))),
            Map.entry("marginal-density", new MethodDefaults(30, 0.001, 1000, Map.of("masked", "true", "lambda", "10"))),
            Map.entry("pgd-ex", new MethodDefaults(30, 0.001, 1000, Map.of("lambda", "10", "epsilon", "1"))),
            Map.entry("cdep", new MethodDefaults(30, 0.001, 1000, Map.of("lambda", "10"))));

    /**
     * (Decoy-)IMDB, and Decoy-Spam (which the papers do not have), keyed by the plugin that runs (the token-model regularizers; {@code adv-r4} on a
     * text model resolves to {@code token-adv-r4} before the lookup). Epochs are the reference's
     * Decoy-IMDB notebook values (spec §11.7: ERM 2, R3 1, Smooth-R3 2, Rand-R4 2, Adv-R4 1). The
     * reference's learning rates (1e-6 to 2e-6) go with its lambda of 1e12 on a penalty scaled by
     * 1/numel, which mlx does not copy; mlx uses Adam at 1e-4, the setting measured in docs/text.md,
     * and batch 16 (the notebook's 80 does not fit a CPU's memory with double backprop through MiniLM).
     */
    private static final Map<String, MethodDefaults> IMDB = Map.of(
            "erm", new MethodDefaults(2, 1e-4, 16),
            "token-rrr", new MethodDefaults(1, 1e-4, 16),
            "token-smooth-rrr", new MethodDefaults(2, 1e-4, 16),
            "token-rand-r4", new MethodDefaults(2, 1e-4, 16),
            "token-adv-r4", new MethodDefaults(1, 1e-4, 16));
    private static final MethodDefaults FALLBACK = new MethodDefaults(10, 0.001, 256);

    /**
     * @param dataset dataset name
     * @param regularizer the regularizer plugin that runs (resolved for the model, e.g. {@code token-adv-r4})
     * @return the defaults for the pair (Decoy-MNIST, Decoy-Fashion-MNIST, the text datasets), or general ones
     *     (10 epochs, lr 1e-3, batch 256)
     */
    public static MethodDefaults of(String dataset, String regularizer) {
        if (dataset.equals("decoy-imdb") || dataset.equals("imdb") || dataset.equals("decoy-spam")) {
            return IMDB.getOrDefault(regularizer, new MethodDefaults(1, 1e-4, 16));
        }
        if (dataset.equals("decoy-mnist")) {
            // a method without a search here (IG-NORM, IG-SUM-NORM, PGD-AT, seeds 003/004): the R4 table's common setting
            return DECOY_MNIST.getOrDefault(regularizer, new MethodDefaults(25, 0.001, 1000));
        }
        if (dataset.equals("decoy-fashion-mnist")) {
            return DECOY_FASHION_MNIST.getOrDefault(regularizer, new MethodDefaults(30, 0.001, 1000));
        }
        return FALLBACK;
    }
}
