package dev.mlx.app.run;

import dev.mlx.api.attribution.AttributionMethod;
import dev.mlx.api.attribution.AttributionProvider;
import dev.mlx.api.data.DataSplit;
import dev.mlx.api.model.Architecture;
import dev.mlx.app.plugin.PluginCatalog;
import dev.mlx.app.plugin.PluginKind;
import dev.mlx.app.report.Saliency;
import dev.mlx.app.report.SaliencyExamples;
import dev.mlx.app.report.SaliencySet;
import dev.mlx.engine.MlxEngine;
import dev.mlx.engine.nn.Network;
import java.util.Arrays;
import java.util.Map;

/**
 * The saliency examples of a run's report: the trained weights are loaded into a fresh network and
 * the {@value #METHOD} attribution plugin (default parameters: the gradient of the explained class's
 * logit, Simonyan et al. 2014) explains the true label of the first test example of each class
 * ({@link SaliencyExamples#firstOfEachClass}), {@value #EXAMPLES} examples in all. Data that are not
 * images (e.g. token sequences) and a missing attribution plugin give an empty set with the reason.
 */
public final class SaliencySampler {
    /** The attribution method of the reports. */
    public static final String METHOD = "input-gradient";
    /** How many examples a run's report shows. */
    public static final int EXAMPLES = 4;

    private final PluginCatalog catalog;
    private final MlxEngine engine;

    /**
     * @param catalog the plugins (the run's model and the attribution method)
     * @param engine the engine that builds the network
     */
    public SaliencySampler(PluginCatalog catalog, MlxEngine engine) {
        this.catalog = catalog;
        this.engine = engine;
    }

    /**
     * @param result a finished run, with its weights
     * @param test the split it was tested on
     * @param count how many examples
     * @return the examples, or an empty set saying why there are none
     */
    public SaliencySet sample(RunResult result, DataSplit test, int count) {
        int[] shape = test.exampleShape();
        if (!Saliency.isImageShape(shape)) {
            return SaliencySet.none("the examples have shape " + Arrays.toString(shape)
                    + ", not an image ([H, W] or [C, H, W] with 1 or 3 channels)");
        }
        if (!catalog.registry().plugins(PluginKind.ATTRIBUTION).containsKey(METHOD)) {
            return SaliencySet.none("the attribution plugin '" + METHOD + "' is not installed");
        }
        AttributionProvider provider = catalog.attribution(METHOD);
        AttributionMethod method = provider.create(provider.parameters().bind(METHOD, Map.of()));
        Architecture architecture = catalog.model(result.spec().model())
                .build(result.modelParams(), shape, test.numClasses());
        long seed = result.spec().training().seed();
        try (Network network = engine.networks().create(architecture, shape, seed, result.weights())) {
            return SaliencySet.of(METHOD, "test", SaliencyExamples.compute(network, engine.manager(), test,
                    SaliencyExamples.firstOfEachClass(test, count), method, SaliencyExamples.Target.LABEL, seed));
        }
    }
}
