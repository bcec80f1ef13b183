package dev.mlx.app.plugin;

import dev.mlx.api.Described;
import dev.mlx.api.attribution.AttributionProvider;
import dev.mlx.api.data.DatasetProvider;
import dev.mlx.api.metric.MetricProvider;
import dev.mlx.api.model.ModelProvider;
import dev.mlx.api.train.RegularizerProvider;

/** The extension points and their service interfaces. */
public enum PluginKind {
    DATASET("dataset", DatasetProvider.class),
    MODEL("model", ModelProvider.class),
    REGULARIZER("regularizer", RegularizerProvider.class),
    METRIC("metric", MetricProvider.class),
    ATTRIBUTION("attribution method", AttributionProvider.class);

    private final String label;
    private final Class<? extends Described> service;

    PluginKind(String label, Class<? extends Described> service) {
        this.label = label;
        this.service = service;
    }

    /** @return the lower-case name used in messages and headings, e.g. {@code regularizer} or {@code attribution method} */
    public String label() {
        return label;
    }

    /** @return the service interface ServiceLoader looks up */
    public Class<? extends Described> service() {
        return service;
    }
}
