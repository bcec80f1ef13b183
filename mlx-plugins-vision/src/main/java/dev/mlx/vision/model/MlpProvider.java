package dev.mlx.vision.model;

import dev.mlx.api.error.MlxException;
import dev.mlx.api.data.DataSplit;
import dev.mlx.api.model.Architecture;
import dev.mlx.api.model.LayerSpec;
import dev.mlx.api.model.ModelProvider;
import dev.mlx.api.param.HyperParameters;
import dev.mlx.api.param.ParameterSchema;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The {@code mlp} model: the multilayer perceptron of the paper's MNIST experiments,
 * {@code Flatten -> Linear(F, hidden) -> ReLU -> Linear(hidden, classes)}, where {@code F} is
 * the number of input features. Parameter {@code layers} repeats the hidden
 * {@code Linear -> ReLU} block (1 to 4 times, all of width {@code hidden}). The output is the
 * logits; no softmax.
 */
public final class MlpProvider implements ModelProvider {
    /** The provider name. */
    public static final String NAME = "mlp";

    private static final ParameterSchema SCHEMA = ParameterSchema.builder()
            .addInt("hidden", 512, 1, 1 << 16, "width of each hidden layer")
            .addInt("layers", 1, 1, 4, "number of hidden Linear+ReLU layers")
            .build();

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "MLP: Flatten -> (Linear -> ReLU) x layers -> Linear to the logits (paper: one hidden layer of 512)";
    }

    @Override
    public ParameterSchema parameters() {
        return SCHEMA;
    }

    @Override
    public Architecture build(HyperParameters params, int[] exampleShape, int numClasses) {
        if (exampleShape == null || exampleShape.length == 0) {
            throw MlxException.userError("mlp: the dataset gives no example shape " + Arrays.toString(exampleShape));
        }
        if (numClasses < 1) {
            throw MlxException.userError("mlp: the dataset has " + numClasses + " classes; it needs at least one");
        }
        int features = DataSplit.featureCount(exampleShape);
        int hidden = params.getInt("hidden");
        List<LayerSpec> layers = new ArrayList<>();
        layers.add(new LayerSpec.Flatten());
        int in = features;
        for (int i = 0; i < params.getInt("layers"); i++) {
            layers.add(new LayerSpec.Linear(in, hidden));
            layers.add(new LayerSpec.Relu());
            in = hidden;
        }
        layers.add(new LayerSpec.Linear(in, numClasses));
        return new Architecture(layers);
    }
}
