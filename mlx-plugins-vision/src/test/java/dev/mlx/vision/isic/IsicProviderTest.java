package dev.mlx.vision.isic;

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
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IsicProviderTest {
    @TempDir
    Path dir;

    /** Writes 10 images per folder; every image's red channel encodes a unique id; patch masks cover the top rows. */
    private void writeLayout(int size) throws IOException {
        int id = 1;
        for (IsicProvider.Folder f : IsicProvider.FOLDERS) {
            for (int i = 0; i < 10; i++) {
                int value = id++;
                String name = f.name() + "_" + i + ".png";
                ImageFixtures.png(dir.resolve("processed").resolve(f.name()).resolve(name), size, size,
                        (x, y) -> ImageFixtures.red(value));
                if (f.group() == 2) {
                    ImageFixtures.mask(dir.resolve("segmentation").resolve(name), size, size, (x, y) -> y < 2 ? 1 : 0);
                }
            }
        }
    }

    private ExplanationDataset load(Map<String, String> raw) {
        IsicProvider p = new IsicProvider();
        return p.load(p.parameters().bind(p.name(), raw), 0, new DataContext(dir, dir, false));
    }

    @Test
    void labelsGroupsMasksAndADisjointStratifiedSplit() throws IOException {
        writeLayout(8);
        ExplanationDataset d = load(Map.of("dir", dir.toString(), "size", "8"));
        assertEquals(22, d.train().size(), "24 less the 2 validation images (10%, rounded)");
        assertEquals(2, d.validation().orElseThrow().size());
        assertEquals("isic/validation", d.validation().orElseThrow().name());
        assertEquals(6, d.test().size(), "20% of each group of 10");
        Set<Integer> trainIds = ids(d.train());
        Set<Integer> validationIds = ids(d.validation().orElseThrow());
        Set<Integer> testIds = ids(d.test());
        assertEquals(22, trainIds.size());
        assertEquals(6, testIds.size());
        Set<Integer> union = new HashSet<>(trainIds);
        union.addAll(validationIds);
        assertEquals(24, union.size(), "validation is carved from the training images, disjoint from them");
        trainIds.retainAll(testIds);
        assertTrue(trainIds.isEmpty(), "train and test share no image");
        validationIds.retainAll(testIds);
        assertTrue(validationIds.isEmpty(), "validation and test share no image");
        for (DataSplit s : new DataSplit[] {d.train(), d.validation().orElseThrow(), d.test()}) {
            int f = s.featureCount();
            for (int i = 0; i < s.size(); i++) {
                int id = Math.round(s.inputs()[i * f] * 255);
                int group = (id - 1) / 10 == 0 ? 1 : (id - 1) / 10 == 1 ? 0 : 2;
                assertEquals(group, s.groups()[i]);
                assertEquals(group == 0 ? 1 : 0, s.labels()[i]);
                float maskSum = 0;
                for (int k = 0; k < f; k++) {
                    maskSum += s.masks()[i * f + k];
                }
                assertEquals(group == 2 ? 3 * 2 * 8 : 0, maskSum, 0f, "patch mask = top 2 rows on 3 channels");
            }
        }
        ExplanationDataset again = load(Map.of("dir", dir.toString(), "size", "8"));
        assertEquals(ids(d.test()), ids(again.test()), "the split is drawn from split-seed alone");
        assertEquals(ids(d.validation().orElseThrow()), ids(again.validation().orElseThrow()));
        assertEquals(d.checksum(), again.checksum());
        ExplanationDataset other = load(Map.of("dir", dir.toString(), "size", "8", "split-seed", "5"));
        assertTrue(!ids(d.test()).equals(ids(other.test())));
    }

    @Test
    void resizesImageAndMaskTogether() throws IOException {
        writeLayout(16);
        ExplanationDataset d = load(Map.of("dir", dir.toString(), "size", "8"));
        assertEquals(8, d.exampleShape()[1]);
        DataSplit s = d.train();
        for (int i = 0; i < s.size(); i++) {
            if (s.groups()[i] == 2) {
                // 16x16 mask of the top 2 rows -> 8x8 mask of the top row
                assertEquals(1f, s.masks()[i * s.featureCount() + 3]);
                assertEquals(0f, s.masks()[i * s.featureCount() + 8 + 3]);
            }
        }
    }

    @Test
    void missingFolderMissingMaskSizeMismatchAndBrokenImageNameTheFile() throws IOException {
        MlxException none = assertThrows(MlxException.class, () -> load(Map.of("dir", dir.resolve("x").toString())));
        assertTrue(none.getMessage().contains("does not exist") && none.getMessage().contains("processed"),
                none.getMessage());
        writeLayout(8);
        Path mask = dir.resolve("segmentation").resolve("patch_no_cancer_again_3.png");
        Files.delete(mask);
        MlxException missing = assertThrows(MlxException.class, () -> load(Map.of("dir", dir.toString())));
        assertTrue(missing.getMessage().contains("patch_no_cancer_again_3.png")
                && missing.getMessage().contains("has no mask"), missing.getMessage());
        ImageFixtures.mask(mask, 9, 8, (x, y) -> 1);
        MlxException size = assertThrows(MlxException.class, () -> load(Map.of("dir", dir.toString())));
        assertTrue(size.getMessage().contains("9x8") && size.getMessage().contains("8x8"), size.getMessage());
        ImageFixtures.mask(mask, 8, 8, (x, y) -> 1);
        Files.writeString(dir.resolve("processed/cancer/cancer_4.png"), "garbage");
        MlxException broken = assertThrows(MlxException.class, () -> load(Map.of("dir", dir.toString())));
        assertTrue(broken.getMessage().contains("cancer_4.png"), broken.getMessage());
    }

    private static Set<Integer> ids(DataSplit s) {
        Set<Integer> ids = new HashSet<>();
        for (int i = 0; i < s.size(); i++) {
            ids.add(Math.round(s.inputs()[i * s.featureCount()] * 255));
        }
        return ids;
    }
}
