package dev.mlx.text.imdb;

import dev.mlx.api.data.DataContext;
import dev.mlx.api.data.DatasetProvider;
import dev.mlx.api.data.ExplanationDataset;
import dev.mlx.api.param.HyperParameters;
import dev.mlx.api.param.ParameterSchema;
import dev.mlx.text.corpus.DecoyText;

/**
 * Decoy-IMDB (Ghitu et al., "Model Guidance via Robust Feature Attribution", TMLR; reference spec
 * §9.6): IMDB reviews with a label-revealing decoy word prepended in training and a random decoy
 * at a random word boundary in test ({@link DecoyText}); masks on the spurious words of the label
 * (Wang and Culotta's lists plus the decoys). Groups are the labels.
 */
public final class DecoyImdbProvider implements DatasetProvider {
    @Override
    public String name() {
        return "decoy-imdb";
    }

    @Override
    public String description() {
        return "Decoy-IMDB: reviews with a label decoy word (spielberg/jonah) in training, a random one in test;"
                + " token masks on spurious words";
    }

    @Override
    public ParameterSchema parameters() {
        return ImdbDatasets.schema()
                .addString("decoy-positive", "spielberg", "decoy word of positive training reviews")
                .addString("decoy-negative", "jonah", "decoy word of negative training reviews")
                .addChoice("test-decoy", "anywhere", DecoyText.PLACEMENTS, DecoyText.PLACEMENT_HELP)
                .build();
    }

    @Override
    public ExplanationDataset load(HyperParameters params, long seed, DataContext context) {
        DecoyText decoy = new DecoyText(params.getString("decoy-positive").strip(),
                params.getString("decoy-negative").strip());
        return ImdbDatasets.build(name(), params, seed, context, decoy);
    }
}
