package dev.mlx.app.command;

import dev.mlx.api.data.DataContext;
import dev.mlx.api.data.DatasetProvider;
import dev.mlx.api.data.ExplanationDataset;
import dev.mlx.api.param.HyperParameters;
import dev.mlx.app.plugin.PluginCatalog;
import java.nio.file.Path;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Binds a dataset's parameters and loads it (fetching into the cache when allowed). */
final class DatasetLoader {
    private static final Logger LOG = LoggerFactory.getLogger(DatasetLoader.class);

    /**
     * A loaded dataset with its bound parameters.
     *
     * @param params the bound parameters
     * @param data the dataset
     */
    record Loaded(HyperParameters params, ExplanationDataset data) {}

    private DatasetLoader() {}

    static Loaded load(PluginCatalog catalog, AppSettings settings, String name, Map<String, String> raw, long seed,
            boolean allowFetch) {
        DatasetProvider provider = catalog.dataset(name);
        HyperParameters params = provider.parameters().bind(name, raw);
        long t0 = System.nanoTime();
        ExplanationDataset data = provider.load(params, seed,
                new DataContext(Path.of("data"), settings.cacheDir(), allowFetch));
        LOG.info("dataset {}: {} train / {} test examples of shape {} loaded in {} ms", name, data.train().size(),
                data.test().size(), java.util.Arrays.toString(data.exampleShape()), (System.nanoTime() - t0) / 1_000_000);
        return new Loaded(params, data);
    }
}
