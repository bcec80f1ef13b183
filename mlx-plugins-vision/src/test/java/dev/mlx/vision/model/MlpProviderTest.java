package dev.mlx.vision.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.mlx.api.error.MlxException;
import dev.mlx.api.model.Architecture;
import dev.mlx.api.model.LayerSpec;
import dev.mlx.api.param.HyperParameters;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MlpProviderTest {
    private final MlpProvider mlp = new MlpProvider();

    @Test
    void defaultIsThePapersMlp() {
        Architecture arch = mlp.build(mlp.parameters().defaults(), new int[] {1, 28, 28}, 10);

        assertEquals(List.of(new LayerSpec.Flatten(), new LayerSpec.Linear(784, 512), new LayerSpec.Relu(),
                new LayerSpec.Linear(512, 10)), arch.layers());
        assertEquals("Flatten -> Linear(784, 512) -> ReLU -> Linear(512, 10)", arch.toString());
    }

    @Test
    void hiddenAndLayersShapeTheNetwork() {
        HyperParameters params = mlp.parameters().bind("mlp", Map.of("hidden", "64", "layers", "2"));

        Architecture arch = mlp.build(params, new int[] {3, 4, 5}, 2);

        assertEquals(List.of(new LayerSpec.Flatten(), new LayerSpec.Linear(60, 64), new LayerSpec.Relu(),
                new LayerSpec.Linear(64, 64), new LayerSpec.Relu(), new LayerSpec.Linear(64, 2)), arch.layers());
    }

    @Test
    void parametersAreBounded() {
        assertThrows(MlxException.class, () -> mlp.parameters().bind("mlp", Map.of("layers", "5")));
        assertThrows(MlxException.class, () -> mlp.parameters().bind("mlp", Map.of("layers", "0")));
        assertThrows(MlxException.class, () -> mlp.parameters().bind("mlp", Map.of("hidden", "0")));
    }

    @Test
    void badInputShapeIsAUserError() {
        HyperParameters defaults = mlp.parameters().defaults();
        assertThrows(MlxException.class, () -> mlp.build(defaults, new int[0], 10));
        assertThrows(MlxException.class, () -> mlp.build(defaults, new int[] {1, 0, 28}, 10));
        assertThrows(MlxException.class, () -> mlp.build(defaults, new int[] {1, 28, 28}, 0));
    }
}
