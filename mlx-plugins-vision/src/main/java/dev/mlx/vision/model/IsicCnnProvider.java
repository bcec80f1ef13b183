package dev.mlx.vision.model;

import dev.mlx.api.model.Architecture;
import dev.mlx.api.model.ModelProvider;
import dev.mlx.api.param.HyperParameters;
import dev.mlx.api.param.ParameterSchema;

/**
 * The {@code isic-cnn} model: {@code LesionNet}, the CNN of the paper's ISIC experiments
 * (reference specification §2): {@code Conv(C,16,k4,s2,p0) R Conv(16,32,k4,s4,p0) R Flatten
 * Linear(F,100) R Linear(100,numClasses)}. The code has two convolutions (the paper lists a
 * third). For 3x299x299 inputs {@code F} = 32·37·37 = 43808; it is computed from the input shape.
 *
 * <p>Output: {@code numClasses} logits, no sigmoid or softmax (the paper's single sigmoid output
 * becomes two logits with one softmax; see {@link PaperCnns}). No parameters.
 */
public final class IsicCnnProvider implements ModelProvider {
    /** The provider name. */
    public static final String NAME = "isic-cnn";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "LesionNet (ISIC CNN): Conv(16,k4,s2) ReLU Conv(32,k4,s4) ReLU Flatten Linear(100) ReLU Linear to the logits";
    }

    @Override
    public ParameterSchema parameters() {
        return ParameterSchema.empty();
    }

    @Override
    public Architecture build(HyperParameters params, int[] exampleShape, int numClasses) {
        return PaperCnns.lesionNet(NAME, exampleShape, numClasses);
    }
}
