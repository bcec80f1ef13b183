package dev.mlx.app.plugin;

import dev.mlx.api.attribution.AttributionProvider;
import dev.mlx.api.data.DatasetProvider;
import dev.mlx.api.metric.MetricProvider;
import dev.mlx.api.model.ModelProvider;
import dev.mlx.api.train.RegularizerProvider;
import jakarta.inject.Inject;
import java.util.Map;

/**
 * The plugins the commands use, injected by Guice from the {@link PluginModule}'s map bindings,
 * with lookups that fail with the list of known names.
 */
public final class PluginCatalog {
    private final PluginRegistry registry;
    private final Map<String, DatasetProvider> datasets;
    private final Map<String, ModelProvider> models;
    private final Map<String, RegularizerProvider> regularizers;
    private final Map<String, MetricProvider> metrics;
    private final Map<String, AttributionProvider> attributions;

    @Inject
    public PluginCatalog(PluginRegistry registry, Map<String, DatasetProvider> datasets,
            Map<String, ModelProvider> models, Map<String, RegularizerProvider> regularizers,
            Map<String, MetricProvider> metrics, Map<String, AttributionProvider> attributions) {
        this.registry = registry;
        this.datasets = datasets;
        this.models = models;
        this.regularizers = regularizers;
        this.metrics = metrics;
        this.attributions = attributions;
    }

    /** @return the registry with sources and versions */
    public PluginRegistry registry() {
        return registry;
    }

    public DatasetProvider dataset(String name) {
        registry.require(PluginKind.DATASET, name);
        return datasets.get(name);
    }

    public ModelProvider model(String name) {
        registry.require(PluginKind.MODEL, name);
        return models.get(name);
    }

    public RegularizerProvider regularizer(String name) {
        registry.require(PluginKind.REGULARIZER, name);
        return regularizers.get(name);
    }

    /**
     * @param requested a regularizer name as the user gave it
     * @param model the model plugin's name
     * @return the regularizer plugin to run for that model (see {@link RegularizerResolver}:
     *     e.g. {@code adv-r4} on a text model is {@code token-adv-r4})
     * @throws dev.mlx.api.error.MlxException (user error) for an unknown name or one that cannot train the model
     */
    public String regularizerFor(String requested, String model) {
        return new RegularizerResolver(this).resolve(requested, model);
    }

    public MetricProvider metric(String name) {
        registry.require(PluginKind.METRIC, name);
        return metrics.get(name);
    }

    /**
     * @param name an attribution method's name, e.g. {@code integrated-gradients}
     * @return its provider (bind the user's values to its {@code parameters()} and call {@code create})
     * @throws dev.mlx.api.error.MlxException (user error) listing the known attribution methods
     */
    public AttributionProvider attribution(String name) {
        registry.require(PluginKind.ATTRIBUTION, name);
        return attributions.get(name);
    }
}
