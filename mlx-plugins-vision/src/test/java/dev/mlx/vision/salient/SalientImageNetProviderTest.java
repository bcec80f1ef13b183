package dev.mlx.vision.salient;

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
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SalientImageNetProviderTest {
    private static final int S = 8;

    @TempDir
    Path dir;

    /**
     * Writes {@code perClass} images per class; image ids (red channel) are unique. Image {@code i} has a
     * core mask (top row) when {@code i % 3 == 0} and a spurious mask (left column) unless {@code i % 6 == 3}.
     */
    static void writeLayout(Path dir, List<String> classes, int perClass, int size) throws IOException {
        int id = 1;
        for (String c : classes) {
            for (int i = 0; i < perClass; i++) {
                int value = id++;
                String name = "img" + i;
                ImageFixtures.png(dir.resolve("images").resolve(c).resolve(name + ".png"), size, size,
                        (x, y) -> ImageFixtures.red(value) | (x < size / 2 ? 0x00FF00 : 0));
                if (i % 2 == 0 || i % 3 != 0) {
                    ImageFixtures.mask(dir.resolve("spurious_masks").resolve(c).resolve(name + ".png"), size, size,
                            (x, y) -> x == 0 ? 1 : 0);
                }
                if (i % 3 == 0) {
                    ImageFixtures.mask(dir.resolve("core_masks").resolve(c).resolve(name + ".png"), size, size,
                            (x, y) -> y == 0 ? 1 : 0);
                }
            }
        }
    }

    private ExplanationDataset load(Map<String, String> raw) {
        SalientImageNetProvider p = new SalientImageNetProvider();
        return p.load(p.parameters().bind(p.name(), raw), 0, new DataContext(dir, dir, false));
    }

    @Test
    void trainsOnSpuriousImagesTestsOnSpuriousOrCoreWithoutOverlap() throws IOException {
        writeLayout(dir, List.of("n02174001", "n02033041", "n02114548"), 8, S);
        ExplanationDataset spur = load(Map.of("dir", dir.toString(), "size", "8"));
        ExplanationDataset core = load(Map.of("dir", dir.toString(), "size", "8", "test-set", "core"));
        assertEquals(3, spur.numClasses());
        assertEquals(spur.train().size(), core.train().size());
        Set<Integer> train = ids(spur.train());
        Set<Integer> heldSpur = ids(spur.test());
        Set<Integer> heldCore = ids(core.test());
        for (Set<Integer> held : List.of(heldSpur, heldCore)) {
            Set<Integer> both = new HashSet<>(train);
            both.retainAll(held);
            assertTrue(both.isEmpty(), "an image is on one side of the split only");
        }
        // masks: spurious = left column, core = top row (3 channels of 8 pixels each)
        assertMasks(spur.train(), true);
        assertMasks(spur.test(), true);
        assertMasks(core.test(), false);
        // labels follow the sorted class folders: n02033041=0, n02114548=1, n02174001=2; ids 1..8 are n02174001
        for (int i = 0; i < spur.train().size(); i++) {
            int id = Math.round(spur.train().inputs()[i * spur.train().featureCount() + S - 1] * 255);
            int expected = id <= 8 ? 2 : id <= 16 ? 0 : 1;
            assertEquals(expected, spur.train().labels()[i]);
            assertEquals(expected, spur.train().groups()[i]);
        }
    }

    @Test
    void classesTxtSetsTheLabelOrderAndImagenetNormalisationApplies() throws IOException {
        writeLayout(dir, List.of("b", "a"), 6, S);
        Files.write(dir.resolve("classes.txt"), List.of("b", "a"));
        ExplanationDataset d = load(Map.of("dir", dir.toString(), "size", "8", "normalize", "imagenet"));
        DataSplit t = d.train();
        for (int i = 0; i < t.size(); i++) {
            float red = t.inputs()[i * t.featureCount() + S - 1];
            int id = Math.round((red * 0.229f + 0.485f) * 255);
            assertEquals(id <= 6 ? 0 : 1, t.labels()[i], "class b is listed first");
            float green = t.inputs()[i * t.featureCount() + S * S];
            assertEquals((1f - 0.456f) / 0.224f, green, 1e-4f, "green of the left half, normalised");
        }
    }

    @Test
    void imageWithoutMaskOrphanMaskAndMissingFolderAreErrors() throws IOException {
        MlxException none = assertThrows(MlxException.class, () -> load(Map.of()));
        assertTrue(none.getMessage().contains("dir="), none.getMessage());
        writeLayout(dir, List.of("x", "y"), 4, S);
        ImageFixtures.png(dir.resolve("images/x/lonely.png"), S, S, (a, b) -> 0);
        MlxException lonely = assertThrows(MlxException.class, () -> load(Map.of("dir", dir.toString())));
        assertTrue(lonely.getMessage().contains("lonely.png") && lonely.getMessage().contains("no mask"),
                lonely.getMessage());
        Files.delete(dir.resolve("images/x/lonely.png"));
        ImageFixtures.mask(dir.resolve("core_masks/y/ghost.png"), S, S, (a, b) -> 1);
        MlxException ghost = assertThrows(MlxException.class, () -> load(Map.of("dir", dir.toString())));
        assertTrue(ghost.getMessage().contains("ghost.png") && ghost.getMessage().contains("has no image"),
                ghost.getMessage());
    }

    /** Every mask covers 3 channels x 8 pixels: the left column (spurious) or the top row (core). */
    private static void assertMasks(DataSplit s, boolean leftColumn) {
        int f = s.featureCount();
        for (int i = 0; i < s.size(); i++) {
            float sum = 0;
            for (int k = 0; k < f; k++) {
                sum += s.masks()[i * f + k];
            }
            assertEquals(3 * S, sum, 0f);
            assertEquals(leftColumn ? 1f : 0f, s.masks()[i * f + 3 * S], 0f, "pixel (3, 0)");
            assertEquals(leftColumn ? 0f : 1f, s.masks()[i * f + 3], 0f, "pixel (0, 3)");
        }
    }

    private static Set<Integer> ids(DataSplit s) {
        Set<Integer> ids = new HashSet<>();
        for (int i = 0; i < s.size(); i++) {
            ids.add(Math.round(s.inputs()[i * s.featureCount() + S - 1] * 255));
        }
        return ids;
    }
}
