package dev.mlx.vision.decoy;

import dev.mlx.api.data.DataContext;
import dev.mlx.api.data.DatasetProvider;
import dev.mlx.api.data.ExplanationDataset;
import dev.mlx.api.param.HyperParameters;
import dev.mlx.api.param.ParameterSchema;
import dev.mlx.vision.mnist.FashionMnistSource;
import dev.mlx.vision.mnist.MnistData;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code decoy-fashion-mnist} dataset: Fashion-MNIST (Xiao et al. 2017) with the Decoy-MNIST
 * recipe of Ross et al. (2017) unchanged ({@link DecoyMnist}): a 4x4 corner patch of grey level
 * {@code (255 − 25·y) / 255} for class {@code y} in training, of a uniformly random class in test;
 * train mask = the patch, test mask = the four corners, groups = labels.
 *
 * <p>Fashion-MNIST comes from {@link FashionMnistSource}: parameter {@code dir}, else the files
 * of Debian's package {@code dataset-fashion-mnist} in {@code /usr/share/datasets/fashion-mnist/},
 * verified against their pinned SHA-256. Nothing is fetched; without the package the error says
 * {@code apt-get install dataset-fashion-mnist}.
 *
 * <p>Parameters: {@code dir} (folder with the user's own Fashion-MNIST IDX files; empty = the
 * Debian package's folder), {@code train-limit} and {@code test-limit} (keep only the first N
 * examples; 0 = all). Construction does no work.
 */
public final class DecoyFashionMnistProvider implements DatasetProvider {
    /** The provider name. */
    public static final String NAME = "decoy-fashion-mnist";

    private static final Logger LOG = LoggerFactory.getLogger(DecoyFashionMnistProvider.class);
    private static final ParameterSchema SCHEMA = IdxDecoyDatasets.schema(
            "folder with your own Fashion-MNIST IDX files (optionally .gz); empty = " + FashionMnistSource.DEBIAN_FOLDER
                    + " from `apt-get install " + FashionMnistSource.DEBIAN_PACKAGE + "`");

    private final FashionMnistSource source;

    /** A provider reading Fashion-MNIST through a default {@link FashionMnistSource}. */
    public DecoyFashionMnistProvider() {
        this(new FashionMnistSource());
    }

    /** A provider reading Fashion-MNIST through {@code source} (tests; another installation folder). */
    public DecoyFashionMnistProvider(FashionMnistSource source) {
        this.source = source;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "Decoy-Fashion-MNIST: Fashion-MNIST with the Decoy-MNIST 4x4 corner patch, coloured by the label in "
                + "training, at random in test";
    }

    @Override
    public ParameterSchema parameters() {
        return SCHEMA;
    }

    @Override
    public ExplanationDataset load(HyperParameters params, long seed, DataContext context) {
        MnistData fashion = source.load(params.getString("dir"));
        return IdxDecoyDatasets.build(NAME, fashion, params, seed, DecoyMnist::build, LOG);
    }
}
