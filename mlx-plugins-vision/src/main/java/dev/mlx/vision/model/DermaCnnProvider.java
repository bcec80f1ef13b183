package dev.mlx.vision.model;

import dev.mlx.api.model.Architecture;
import dev.mlx.api.model.ModelProvider;
import dev.mlx.api.param.HyperParameters;
import dev.mlx.api.param.ParameterSchema;

/**
 * The {@code derma-cnn} model: {@code DermaNet}, the CNN of the paper's DecoyDERM experiments,
 * and its model-size ablation variants (reference specification §2 and §12.3; layer lists in
 * {@link PaperCnns#dermaNet}). Parameter {@code size}: {@code small}, {@code small-medium},
 * {@code medium-large} (default; the DecoyDERM model, {@code Linear(14400, 1024)} on 3x64x64)
 * or {@code large}.
 *
 * <p>Input: images {@code [C, H, W]} (3x64x64 for DecoyDERM); the first convolution takes
 * {@code C} channels and the flatten size is computed from {@code H} and {@code W}. Output:
 * {@code numClasses} logits, no sigmoid or softmax (the paper's single sigmoid output becomes
 * two logits with one softmax; see {@link PaperCnns}).
 */
public final class DermaCnnProvider implements ModelProvider {
    /** The provider name. */
    public static final String NAME = "derma-cnn";

    private static final ParameterSchema SCHEMA = ParameterSchema.builder()
            .addChoice("size", "medium-large", PaperCnns.DERMA_SIZES,
                    "DermaNet variant of the model-size ablation; medium-large is the DecoyDERM model")
            .build();

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "DermaNet (DecoyDERM CNN): 2 to 5 convolutions, then 1 to 4 linear layers to the logits, by size";
    }

    @Override
    public ParameterSchema parameters() {
        return SCHEMA;
    }

    @Override
    public Architecture build(HyperParameters params, int[] exampleShape, int numClasses) {
        String size = params.getString("size");
        return PaperCnns.dermaNet(size, NAME + " (size=" + size + ")", exampleShape, numClasses);
    }
}
