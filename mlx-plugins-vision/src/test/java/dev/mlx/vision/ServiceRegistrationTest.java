package dev.mlx.vision;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.mlx.api.Described;
import dev.mlx.api.data.DatasetProvider;
import dev.mlx.api.model.ModelProvider;
import java.util.List;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

/** The plugins are found through {@link ServiceLoader} under their names. */
class ServiceRegistrationTest {
    @Test
    void theDatasetsAreRegistered() {
        assertEquals(List.of("decoy-mnist", "decoy-fashion-mnist", "half-decoy-mnist", "decoy-derm", "isic", "plant",
                "salient-imagenet"),
                names(ServiceLoader.load(DatasetProvider.class)));
    }

    @Test
    void mlpAndThePapersCnnsAreRegisteredModels() {
        assertEquals(List.of("mlp", "derma-cnn", "isic-cnn", "plant-cnn", "resnet18"), names(ServiceLoader.load(ModelProvider.class)));
    }

    private static List<String> names(ServiceLoader<? extends Described> loader) {
        return loader.stream().map(p -> p.get().name()).toList();
    }
}
