package dev.mlx.vision.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mlx.api.error.ErrorKind;
import dev.mlx.api.error.MlxException;
import dev.mlx.api.model.Architecture;
import dev.mlx.api.model.LayerSpec;
import dev.mlx.api.model.LayerSpec.Conv2d;
import dev.mlx.api.model.LayerSpec.Flatten;
import dev.mlx.api.model.LayerSpec.Linear;
import dev.mlx.api.model.LayerSpec.Relu;
import dev.mlx.api.model.ModelProvider;
import dev.mlx.api.param.HyperParameters;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The paper's CNNs (reference specification §2): every layer's sizes chain for the paper's
 * input shapes, checked by an independent shape walk in plain Java, and the flatten sizes equal
 * the reference code's constants.
 */
class CnnProvidersTest {
    private static final int[] DERMA = {3, 64, 64};
    private static final int[] ISIC = {3, 299, 299};
    private static final int[] PLANT = {3, 213, 213};

    private final DermaCnnProvider derma = new DermaCnnProvider();
    private final IsicCnnProvider isic = new IsicCnnProvider();
    private final PlantCnnProvider plant = new PlantCnnProvider();

    @ParameterizedTest
    @CsvSource({"small, 30752, 1", "small-medium, 57600, 2", "medium-large, 14400, 3", "large, 12544, 4"})
    void dermaSizesChainOn3x64x64WithTheReferenceFlattenSizes(String size, long flatten, int linears) {
        Architecture arch = derma.build(size(size), DERMA, 2);

        Walk walk = walk(arch, DERMA, 2);
        assertEquals(flatten, walk.flattened, size + ": " + arch);
        assertEquals(linears, walk.linears, size + ": " + arch);
    }

    @Test
    void dermaMediumLargeIsTheDefaultAndTheDecoyDermModel() {
        assertEquals("medium-large", derma.parameters().defaults().getString("size"));

        Architecture arch = derma.build(derma.parameters().defaults(), DERMA, 2);

        assertEquals(List.of(new Conv2d(3, 32, 3, 1, 1), new Relu(), new Conv2d(32, 32, 4, 2, 1), new Relu(),
                new Conv2d(32, 64, 4, 1, 1), new Relu(), new Conv2d(64, 64, 4, 2, 1), new Relu(), new Flatten(),
                new Linear(14400, 1024), new Relu(), new Linear(1024, 1024), new Relu(), new Linear(1024, 2)),
                arch.layers());
    }

    @Test
    void dermaSmallKeepsTheReferenceOrderFlattenThenRelu() {
        Architecture arch = derma.build(size("small"), DERMA, 2);

        assertEquals(List.of(new Conv2d(3, 32, 4, 1, 1), new Relu(), new Conv2d(32, 32, 4, 2, 1), new Flatten(),
                new Relu(), new Linear(30752, 2)), arch.layers());
    }

    @Test
    void dermaLargeHasFiveConvsAndFourLinears() {
        List<LayerSpec> layers = derma.build(size("large"), DERMA, 2).layers();

        assertEquals(5, layers.stream().filter(l -> l instanceof Conv2d).count());
        assertEquals(List.of(new Linear(12544, 4096), new Linear(4096, 1024), new Linear(1024, 128), new Linear(128, 2)),
                layers.stream().filter(l -> l instanceof Linear).toList());
    }

    @Test
    void isicIsLesionNetWithFlatten43808On3x299x299() {
        Architecture arch = isic.build(isic.parameters().defaults(), ISIC, 2);

        assertEquals(43808, walk(arch, ISIC, 2).flattened);
        assertEquals(List.of(new Conv2d(3, 16, 4, 2, 0), new Relu(), new Conv2d(16, 32, 4, 4, 0), new Relu(),
                new Flatten(), new Linear(43808, 100), new Relu(), new Linear(100, 2)), arch.layers());
    }

    @Test
    void plantIsPlantNetWithFlatten173056On3x213x213() {
        Architecture arch = plant.build(plant.parameters().defaults(), PLANT, 2);

        assertEquals(173056, walk(arch, PLANT, 2).flattened);
        assertEquals(new Linear(173056, 1024), arch.layers().get(9));
        assertEquals(new Linear(1024, 2), arch.layers().get(arch.layers().size() - 1));
    }

    @Test
    void sizesFollowTheInputShapeAndClassCount() {
        // DermaNet's latent_dim table of the reference: 28 -> 2304, 128 -> 61504, 224 -> 193600.
        assertEquals(2304, walk(derma.build(size("medium-large"), new int[] {3, 28, 28}, 10), new int[] {3, 28, 28}, 10).flattened);
        assertEquals(61504, walk(derma.build(size("medium-large"), new int[] {3, 128, 128}, 2), new int[] {3, 128, 128}, 2).flattened);
        assertEquals(193600, walk(derma.build(size("medium-large"), new int[] {3, 224, 224}, 2), new int[] {3, 224, 224}, 2).flattened);

        int[] grey = {1, 40, 30};
        for (ModelProvider p : List.of(derma, isic, plant)) {
            Architecture arch = p.build(p.parameters().defaults(), grey, 7);
            assertEquals(1, ((Conv2d) arch.layers().get(0)).inChannels(), p.name() + " takes the dataset's channels");
            walk(arch, grey, 7);
        }
    }

    @Test
    void inputsThatAreNotImagesAreUserErrors() {
        for (ModelProvider p : List.of(derma, isic, plant)) {
            HyperParameters defaults = p.parameters().defaults();
            for (int[] shape : new int[][] {{784}, {28, 28}, {1, 3, 64, 64}}) {
                MlxException e = userError(() -> p.build(defaults, shape, 2));
                assertTrue(e.getMessage().contains("[channels, height, width]") && e.getMessage().contains(p.name())
                        && e.getMessage().contains(Arrays.toString(shape)), e.getMessage());
            }
            userError(() -> p.build(defaults, null, 2));
            userError(() -> p.build(defaults, new int[] {3, 0, 64}, 2));
            userError(() -> p.build(defaults, DERMA, 0));
        }
    }

    @Test
    void tooSmallInputsSayTheSmallestSizeThatFits() {
        // LesionNet: floor((n - 4) / 2) + 1 >= 4 needs n >= 10.
        MlxException e = userError(() -> isic.build(isic.parameters().defaults(), new int[] {3, 9, 9}, 2));
        assertTrue(e.getMessage().contains("isic-cnn") && e.getMessage().contains("[3, 9, 9]")
                && e.getMessage().contains("at least 10x10"), e.getMessage());
        walk(isic.build(isic.parameters().defaults(), new int[] {3, 10, 10}, 2), new int[] {3, 10, 10}, 2);

        // DermaNet small: n - 1, then floor((n - 3) / 2) + 1 >= 1 needs n >= 3; a 2-pixel-high input fails.
        MlxException small = userError(() -> derma.build(size("small"), new int[] {3, 2, 50}, 2));
        assertTrue(small.getMessage().contains("size=small") && small.getMessage().contains("at least 3x3"),
                small.getMessage());
        walk(derma.build(size("small"), new int[] {3, 3, 3}, 2), new int[] {3, 3, 3}, 2);
    }

    @Test
    void sizeIsAValidatedChoice() {
        assertThrows(MlxException.class, () -> derma.parameters().bind("derma-cnn", Map.of("size", "huge")));
        assertThrows(MlxException.class, () -> isic.parameters().bind("isic-cnn", Map.of("size", "small")));
        assertEquals(List.of("size"), derma.parameters().specs().stream().map(s -> s.name()).toList());
    }

    @Test
    void builderComputesPyTorchConvolutionSides() {
        assertEquals(148, CnnBuilder.convOutput(299, 4, 2, 0));
        assertEquals(37, CnnBuilder.convOutput(148, 4, 4, 0));
        assertEquals(106, CnnBuilder.convOutput(213, 4, 2, 1));
        assertEquals(0, CnnBuilder.convOutput(2, 4, 1, 0));
    }

    private HyperParameters size(String size) {
        return derma.parameters().bind("derma-cnn", Map.of("size", size));
    }

    private static MlxException userError(org.junit.jupiter.api.function.Executable action) {
        MlxException e = assertThrows(MlxException.class, action);
        assertEquals(ErrorKind.USER, e.kind(), e::getMessage);
        return e;
    }

    /** What an independent walk over the layers found. */
    private record Walk(long flattened, int linears) {}

    /**
     * Propagates the shape {@code [C, H, W]} through the layers with PyTorch's rules, asserting
     * that every layer's declared input size matches what arrives and that the last layer emits
     * {@code classes} logits.
     */
    private static Walk walk(Architecture arch, int[] input, int classes) {
        long c = input[0];
        long h = input[1];
        long w = input[2];
        long flat = -1;
        long flattened = -1;
        int linears = 0;
        List<String> trace = new ArrayList<>();
        for (LayerSpec layer : arch.layers()) {
            trace.add(layer.describe());
            if (layer instanceof Conv2d conv) {
                assertEquals(-1, flat, "convolution after Flatten: " + trace);
                assertEquals(c, conv.inChannels(), "channels into " + trace);
                h = (h + 2L * conv.padding() - conv.kernel()) / conv.stride() + 1;
                w = (w + 2L * conv.padding() - conv.kernel()) / conv.stride() + 1;
                assertTrue(h >= 1 && w >= 1, "empty feature map after " + trace);
                c = conv.outChannels();
            } else if (layer instanceof Flatten) {
                flat = c * h * w;
                flattened = flat;
            } else if (layer instanceof Linear linear) {
                assertTrue(flat > 0, "Linear before Flatten: " + trace);
                assertEquals(flat, linear.in(), "features into " + trace);
                flat = linear.out();
                linears++;
            } else {
                assertInstanceOf(Relu.class, layer);
            }
        }
        assertEquals(classes, flat, "logits out of " + arch);
        assertInstanceOf(Linear.class, arch.layers().get(arch.layers().size() - 1), "ends in the logits, no activation");
        return new Walk(flattened, linears);
    }
}
