package dev.mlx.app.command;

import dev.mlx.api.data.DataSplit;
import dev.mlx.api.data.ExplanationDataset;
import dev.mlx.api.error.MlxException;
import dev.mlx.api.model.Architecture;
import dev.mlx.api.model.LayerSpec;
import dev.mlx.api.model.ModelProvider;
import dev.mlx.api.param.ParameterSpec;
import dev.mlx.app.plugin.PluginCatalog;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code mlx bench} trains: the training images and the network architecture built for them.
 *
 * <p>The images come from, in this order of precedence:
 * <ol>
 *   <li>{@code --dataset NAME}: that dataset's training split (its {@code train-limit}, when it
 *       has one, defaults to the example count), cut to the first {@code examples} images;
 *   <li>the {@code mlp} model without a dataset: Decoy-MNIST, as before generalisation;
 *   <li>any other model: {@link BenchImages} of {@code channels x side x side}, where the side is
 *       {@code --image-size} or the size of the dataset the model was made for
 *       ({@link #defaultImageSize}).
 * </ol>
 * Text models (a first layer that embeds token ids) are refused: the bench feeds images.
 *
 * @param train the training images of every timed epoch
 * @param architecture the network, built by the model plugin for {@code train}'s shape and classes
 * @param description one line naming the model and the data, for the table's heading
 */
record BenchWorkload(DataSplit train, Architecture architecture, String description) {

    /** The side of the images of the dataset each of the papers' image models was made for. */
    private static final Map<String, Integer> PAPER_IMAGE_SIZES = Map.of("derma-cnn", 64, "isic-cnn", 299,
            "plant-cnn", 213, "resnet18", 64);
    private static final int OTHER_IMAGE_SIZE = 64;

    /**
     * @param model a model name
     * @return the side of the generated images when {@code --image-size} is not given: 64 for
     *     {@code derma-cnn} (DecoyDERM) and {@code resnet18}, 299 for {@code isic-cnn} (ISIC),
     *     213 for {@code plant-cnn} (Plant), 64 for any other model
     */
    static int defaultImageSize(String model) {
        return PAPER_IMAGE_SIZES.getOrDefault(model, OTHER_IMAGE_SIZE);
    }

    /** The command-line choices a workload is built from. */
    record Request(String model, Map<String, String> modelParams, String dataset, Map<String, String> datasetParams,
            int examples, Integer imageSize, int channels) {}

    /**
     * @param catalog the plugins
     * @param settings the app settings (cache folder for datasets)
     * @param request what to train
     * @return the workload
     * @throws MlxException (user error) for an unknown model or dataset, bad parameters, a text
     *     model, or a model that cannot take the images
     */
    static BenchWorkload of(PluginCatalog catalog, AppSettings settings, Request request) {
        ModelProvider provider = catalog.model(request.model());
        var modelParams = provider.parameters().bind(request.model(), request.modelParams());
        DataSplit train;
        String data;
        if (request.dataset() != null || request.model().equals("mlp")) {
            String name = request.dataset() != null ? request.dataset() : "decoy-mnist";
            train = datasetImages(catalog, settings, name, request.datasetParams(), request.examples());
            data = name + " (first " + train.size() + " training images)";
        } else {
            int side = request.imageSize() != null ? request.imageSize() : defaultImageSize(request.model());
            train = BenchImages.generate(request.examples(), request.channels(), side, 0);
            data = "generated " + request.channels() + "x" + side + "x" + side + " images (seed 0)";
        }
        Architecture architecture = provider.build(modelParams, train.exampleShape(), train.numClasses());
        if (!architecture.layers().isEmpty() && architecture.layers().get(0) instanceof LayerSpec.TextEncoder) {
            throw MlxException.userError("--model " + request.model() + " is a text model (its inputs are token ids);"
                    + " mlx bench measures image models, e.g. mlp, derma-cnn, isic-cnn, plant-cnn, resnet18");
        }
        String params = request.modelParams().isEmpty() ? "" : " " + request.modelParams();
        return new BenchWorkload(train, architecture, request.model() + params + " = " + architecture + " on "
                + data);
    }

    private static DataSplit datasetImages(PluginCatalog catalog, AppSettings settings, String name,
            Map<String, String> raw, int examples) {
        List<String> known = catalog.dataset(name).parameters().specs().stream().map(ParameterSpec::name).toList();
        Map<String, String> params = new LinkedHashMap<>(raw);
        if (known.contains("train-limit")) {
            params.putIfAbsent("train-limit", Integer.toString(examples));
        }
        if (known.contains("test-limit")) {
            params.putIfAbsent("test-limit", "1");
        }
        ExplanationDataset data = DatasetLoader.load(catalog, settings, name, params, 0, true).data();
        return firstExamples(data.train(), examples);
    }

    /** @return the first {@code n} examples of {@code split} (all of them if it has no more) */
    static DataSplit firstExamples(DataSplit split, int n) {
        if (split.size() <= n) {
            return split;
        }
        int f = split.featureCount();
        return new DataSplit(split.name(), split.exampleShape(), Arrays.copyOf(split.inputs(), n * f),
                Arrays.copyOf(split.masks(), n * f), Arrays.copyOf(split.labels(), n),
                Arrays.copyOf(split.groups(), n), split.numClasses(), split.numGroups());
    }
}
