package dev.mlx.vision.plant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mlx.api.data.DataContext;
import dev.mlx.api.data.DataSplit;
import dev.mlx.api.data.ExplanationDataset;
import dev.mlx.api.error.MlxException;
import dev.mlx.vision.fixtures.ImageFixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PlantProviderTest {
    private static final int S = 8;

    @TempDir
    Path dir;

    private static final List<String> TRAIN = List.of("1_Z1_a", "1_Z5_a", "2_Z2_b", "2_Z12_b");
    private static final List<String> TEST = List.of("3_Z3_c", "3_Z17_c");

    /** Leaf = left half of the image; leaf pixels grey 60, background grey 100 (red channel 100 + index). */
    private void writeLayout() throws IOException {
        for (String name : concat()) {
            ImageFixtures.png(dir.resolve("rgb_data").resolve(name.substring(0, 1)).resolve(name + ".png"), S, S,
                    (x, y) -> x < S / 2 ? 0x3C3C3C : 0x646464);
            ImageFixtures.mask(dir.resolve("masks").resolve(name + ".png"), S, S, (x, y) -> x < S / 2 ? 1 : 0);
        }
        Files.createDirectories(dir.resolve("rgb_dataset_splits"));
        Files.write(dir.resolve("rgb_dataset_splits/train_2.txt"), TRAIN);
        Files.write(dir.resolve("rgb_dataset_splits/test_2.txt"), TEST);
    }

    private static List<String> concat() {
        return java.util.stream.Stream.concat(TRAIN.stream(), TEST.stream()).toList();
    }

    private ExplanationDataset load(Map<String, String> raw) {
        PlantProvider p = new PlantProvider();
        return p.load(p.parameters().bind(p.name(), raw), 0, new DataContext(dir, dir, false));
    }

    @Test
    void labelsFromNamesInvertedMasksBrightnessAndTestBackgroundMean() throws IOException {
        writeLayout();
        ExplanationDataset withValidation = load(Map.of("dir", dir.toString(), "size", "8"));
        assertEquals(3, withValidation.train().size(), "one of the 4 training images is held out (at least one)");
        assertEquals(1, withValidation.validation().orElseThrow().size());
        ExplanationDataset d = load(Map.of("dir", dir.toString(), "size", "8", "validation-fraction", "0"));
        assertTrue(d.validation().isEmpty());
        DataSplit train = d.train();
        assertEquals(4, train.size());
        assertEquals(List.of(0, 1, 0, 1), java.util.Arrays.stream(train.labels()).boxed().toList());
        assertEquals(List.of(0, 1), java.util.Arrays.stream(d.test().labels()).boxed().toList());
        int f = train.featureCount();
        // pixel (row 0, col 0) is leaf: mask 0, brightness x2; pixel (0, 7) is background: mask 1
        assertEquals(0f, train.masks()[0]);
        assertEquals(1f, train.masks()[7]);
        assertEquals(Math.min(1f, 2 * 60 / 255f), train.inputs()[0], 1e-6f);
        // training mean per channel: half 120/255, half 200/255
        float mean = (2 * 60 / 255f + 2 * 100 / 255f) / 2;
        DataSplit test = d.test();
        assertEquals(mean, test.inputs()[7], 1e-5f, "test background = training mean");
        assertEquals(2 * 60 / 255f, test.inputs()[0], 1e-6f, "test leaf unchanged");
        assertEquals(f, 3 * S * S);
    }

    @Test
    void softMasksMixTheMeanMaskIntoTheTrainingMasksOnly() throws IOException {
        writeLayout();
        ExplanationDataset soft = load(Map.of("dir", dir.toString(), "size", "8", "soft-mask-alpha", "0.5"));
        // every training mask is identical, so the mean mask equals it: 0.5*(1*1) + 0.5*1 = 1 on background
        assertEquals(1f, soft.train().masks()[7], 1e-6f);
        assertEquals(0f, soft.train().masks()[0], 1e-6f);
        assertEquals(1f, soft.test().masks()[7], 0f);
    }

    @Test
    void overlappingSplitMissingMaskAndBadNameAreClearErrors() throws IOException {
        writeLayout();
        Files.write(dir.resolve("rgb_dataset_splits/test_2.txt"), List.of("3_Z3_c", "1_Z5_a"));
        MlxException overlap = assertThrows(MlxException.class, () -> load(Map.of("dir", dir.toString())));
        assertTrue(overlap.getMessage().contains("1_Z5_a") && overlap.getMessage().contains("both"),
                overlap.getMessage());
        Files.write(dir.resolve("rgb_dataset_splits/test_2.txt"), TEST);
        Files.delete(dir.resolve("masks/3_Z17_c.png"));
        MlxException mask = assertThrows(MlxException.class, () -> load(Map.of("dir", dir.toString(), "size", "8")));
        assertTrue(mask.getMessage().contains("3_Z17_c.png") && mask.getMessage().contains("leaf mask"),
                mask.getMessage());
        MlxException name = assertThrows(MlxException.class, () -> PlantLabels.label("leaf_photo_3"));
        assertTrue(name.getMessage().contains("<day>_Z<sample>"));
        assertEquals(1, PlantLabels.label("5_Z18_x"));
        assertThrows(MlxException.class, () -> PlantLabels.label("6_Z1_x"));
        MlxException split = assertThrows(MlxException.class,
                () -> load(Map.of("dir", dir.toString(), "split", "4")));
        assertTrue(split.getMessage().contains("train_4.txt"), split.getMessage());
    }
}
