package dev.mlx.vision.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mlx.api.error.MlxException;
import dev.mlx.api.model.Architecture;
import dev.mlx.api.model.LayerSpec;
import dev.mlx.api.model.LayerSpec.BatchNormMode;
import dev.mlx.api.param.HyperParameters;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code resnet18} is torchvision's ResNet-18: the same parameter count (11,689,512 with 1000
 * classes), the stem, the four stages with projection shortcuts exactly where the stride or width
 * changes, and the R4 head; its options (classes, dropout, frozen backbone, batch normalisation
 * mode, weights) reach the architecture, and bad input is a user error.
 */
class ResNet18ProviderTest {
    private final ResNet18Provider provider = new ResNet18Provider();

    private Architecture build(Map<String, String> raw, int[] shape, int classes) {
        HyperParameters params = provider.parameters().bind(ResNet18Provider.NAME, raw);
        return provider.build(params, shape, classes);
    }

    /** Trainable scalars of a layer (BatchNorm: gamma and beta; running statistics are buffers). */
    private static long parameters(LayerSpec spec) {
        if (spec instanceof LayerSpec.Conv2d c) {
            return (long) c.outChannels() * c.inChannels() * c.kernel() * c.kernel() + (c.bias() ? c.outChannels() : 0);
        }
        if (spec instanceof LayerSpec.BatchNorm2d b) {
            return 2L * b.channels();
        }
        if (spec instanceof LayerSpec.Linear l) {
            return (long) l.out() * l.in() + l.out();
        }
        if (spec instanceof LayerSpec.Residual r) {
            long n = 0;
            for (LayerSpec s : r.body()) {
                n += parameters(s);
            }
            for (LayerSpec s : r.shortcut()) {
                n += parameters(s);
            }
            return n;
        }
        return 0;
    }

    @Test
    void hasTorchvisionsParameterCountAndLayout() {
        Architecture arch = build(Map.of("classes", "1000"), new int[] {3, 224, 224}, 6);
        assertEquals(11_689_512L, arch.layers().stream().mapToLong(ResNet18ProviderTest::parameters).sum());
        List<LayerSpec> layers = arch.layers();
        assertEquals(new LayerSpec.Conv2d(3, 64, 7, 2, 3, false), layers.get(0));
        assertEquals(new LayerSpec.MaxPool2d(3, 2, 1), layers.get(3));
        List<LayerSpec.Residual> blocks = new ArrayList<>();
        for (LayerSpec s : layers) {
            if (s instanceof LayerSpec.Residual r) {
                blocks.add(r);
            }
        }
        assertEquals(8, blocks.size());
        int[] shortcutSizes = blocks.stream().mapToInt(b -> b.shortcut().size()).toArray();
        org.junit.jupiter.api.Assertions.assertArrayEquals(new int[] {0, 0, 2, 0, 2, 0, 2, 0}, shortcutSizes);
        assertEquals(new LayerSpec.Conv2d(128, 256, 1, 2, 0, false), blocks.get(4).shortcut().get(0));
        assertEquals(new LayerSpec.Conv2d(256, 256, 3, 2, 1, false).inChannels(),
                ((LayerSpec.Conv2d) blocks.get(6).body().get(0)).inChannels());
        assertEquals(2, ((LayerSpec.Conv2d) blocks.get(6).body().get(0)).stride());
        int n = layers.size();
        assertEquals(new LayerSpec.GlobalAvgPool2d(), layers.get(n - 4));
        assertEquals(new LayerSpec.Flatten(), layers.get(n - 3));
        assertEquals(new LayerSpec.Dropout(0.5), layers.get(n - 2));
        assertEquals(new LayerSpec.Linear(512, 1000), layers.get(n - 1));
        assertEquals(0, arch.frozenLayers());
        assertNull(arch.pretrained());
    }

    @Test
    void optionsReachTheArchitecture() {
        Architecture arch = build(Map.of("dropout", "0.2", "freeze-backbone", "true", "batchnorm-mode", "eval",
                "weights", "resnet18.safetensors"), new int[] {3, 64, 64}, 2);
        int n = arch.layers().size();
        assertEquals(new LayerSpec.Linear(512, 2), arch.layers().get(n - 1), "classes=0 takes the dataset's");
        assertEquals(new LayerSpec.Dropout(0.2), arch.layers().get(n - 2));
        assertEquals(n - 2, arch.frozenLayers(), "everything before the head is frozen");
        assertEquals(Path.of("resnet18.safetensors"), arch.pretrained().file());
        assertTrue(arch.toString().contains("BatchNorm2d(64, eval)"));
        assertTrue(!arch.toString().contains(", train)"), "every batch normalisation takes the mode");
        Architecture train = build(Map.of(), new int[] {1, 28, 28}, 10);
        assertEquals(new LayerSpec.Conv2d(1, 64, 7, 2, 3, false), train.layers().get(0));
        assertEquals(new LayerSpec.BatchNorm2d(64, BatchNormMode.TRAIN), train.layers().get(1));
    }

    @Test
    void badInputIsAUserErrorSayingWhatToDo() {
        MlxException flat = assertThrows(MlxException.class, () -> build(Map.of(), new int[] {784}, 10));
        assertTrue(flat.getMessage().contains("[channels, height, width]"), flat.getMessage());
        MlxException few = assertThrows(MlxException.class, () -> build(Map.of("classes", "3"), new int[] {3, 8, 8}, 6));
        assertTrue(few.getMessage().contains("classes=3 is fewer than the dataset's 6"), few.getMessage());
        MlxException gray = assertThrows(MlxException.class,
                () -> build(Map.of("weights", "w.safetensors"), new int[] {1, 28, 28}, 10));
        assertTrue(gray.getMessage().contains("3-channel"), gray.getMessage());
        MlxException mode = assertThrows(MlxException.class, () -> build(Map.of("batchnorm-mode", "frozen"),
                new int[] {3, 8, 8}, 2));
        assertTrue(mode.getMessage().contains("train, eval"), mode.getMessage());
    }
}
