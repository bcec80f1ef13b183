package dev.mlx.app.plugin;

import com.google.inject.AbstractModule;
import com.google.inject.multibindings.MapBinder;
import dev.mlx.api.attribution.AttributionProvider;
import dev.mlx.api.data.DatasetProvider;
import dev.mlx.api.metric.MetricProvider;
import dev.mlx.api.model.ModelProvider;
import dev.mlx.api.train.RegularizerProvider;

/**
 * The one place where ServiceLoader meets Guice: every discovered provider becomes a
 * {@link MapBinder} entry keyed by its name. Plugins never see Guice.
 */
public final class PluginModule extends AbstractModule {
    private final PluginRegistry registry;

    /** @param registry the discovered plugins */
    public PluginModule(PluginRegistry registry) {
        this.registry = registry;
    }

    @Override
    protected void configure() {
        bind(PluginRegistry.class).toInstance(registry);
        MapBinder<String, DatasetProvider> datasets =
                MapBinder.newMapBinder(binder(), String.class, DatasetProvider.class);
        MapBinder<String, ModelProvider> models = MapBinder.newMapBinder(binder(), String.class, ModelProvider.class);
        MapBinder<String, RegularizerProvider> regularizers =
                MapBinder.newMapBinder(binder(), String.class, RegularizerProvider.class);
        MapBinder<String, MetricProvider> metrics =
                MapBinder.newMapBinder(binder(), String.class, MetricProvider.class);
        MapBinder<String, AttributionProvider> attributions =
                MapBinder.newMapBinder(binder(), String.class, AttributionProvider.class);
        registry.plugins(PluginKind.DATASET).forEach(
                (name, info) -> datasets.addBinding(name).toInstance((DatasetProvider) info.provider()));
        registry.plugins(PluginKind.MODEL).forEach(
                (name, info) -> models.addBinding(name).toInstance((ModelProvider) info.provider()));
        registry.plugins(PluginKind.REGULARIZER).forEach(
                (name, info) -> regularizers.addBinding(name).toInstance((RegularizerProvider) info.provider()));
        registry.plugins(PluginKind.METRIC).forEach(
                (name, info) -> metrics.addBinding(name).toInstance((MetricProvider) info.provider()));
        registry.plugins(PluginKind.ATTRIBUTION).forEach(
                (name, info) -> attributions.addBinding(name).toInstance((AttributionProvider) info.provider()));
    }
}
