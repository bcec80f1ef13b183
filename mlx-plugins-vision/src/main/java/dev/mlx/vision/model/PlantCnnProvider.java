package dev.mlx.vision.model;

import dev.mlx.api.model.Architecture;
import dev.mlx.api.model.ModelProvider;
import dev.mlx.api.param.HyperParameters;
import dev.mlx.api.param.ParameterSchema;

/**
 * The {@code plant-cnn} model: {@code PlantNet}, the CNN of the paper's plant phenotyping
 * experiments (reference specification §2): {@code Conv(C,32,k3,s1,p1) R Conv(32,32,k4,s2,p1) R
 * Conv(32,64,k4,s1,p1) R Conv(64,64,k4,s2,p1) R Flatten Linear(F,1024) R Linear(1024,1024) R
 * Linear(1024,numClasses)}, the same layers as the medium-large {@code derma-cnn}. For 3x213x213
 * inputs (213 → 213 → 106 → 105 → 52) {@code F} = 64·52·52 = 173056; it is computed from the
 * input shape. The reference's optional Xavier {@code gain} is never used there; the engine's
 * default initialisation applies.
 *
 * <p>Output: {@code numClasses} logits, no sigmoid or softmax (the paper's single sigmoid output
 * becomes two logits with one softmax; see {@link PaperCnns}). No parameters.
 */
public final class PlantCnnProvider implements ModelProvider {
    /** The provider name. */
    public static final String NAME = "plant-cnn";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "PlantNet (plant phenotyping CNN): 4 convolutions, then Linear(1024) ReLU Linear(1024) ReLU Linear to the logits";
    }

    @Override
    public ParameterSchema parameters() {
        return ParameterSchema.empty();
    }

    @Override
    public Architecture build(HyperParameters params, int[] exampleShape, int numClasses) {
        return PaperCnns.plantNet(NAME, exampleShape, numClasses);
    }
}
