package dev.mlx.vision.derm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mlx.api.data.DataContext;
import dev.mlx.api.data.DataSplit;
import dev.mlx.api.data.ExplanationDataset;
import dev.mlx.api.error.MlxException;
import dev.mlx.vision.fixtures.NpyFixtures;
import dev.mlx.vision.fixtures.NpyFixtures.Array;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DecoyDermProviderTest {
    private static final int S = 16;

    @TempDir
    Path dir;

    /** A MedMNIST-format npz with {@code n} images per split; image i has every byte = 10 + i, label i % 7. */
    static Path writeNpz(Path dir, String file, int n, int size) throws IOException {
        Map<String, Array> arrays = new LinkedHashMap<>();
        for (String split : new String[] {"train", "val", "test"}) {
            byte[] pixels = new byte[n * size * size * 3];
            long[] labels = new long[n];
            for (int i = 0; i < n; i++) {
                java.util.Arrays.fill(pixels, i * size * size * 3, (i + 1) * size * size * 3, (byte) (10 + i));
                labels[i] = i % 7;
            }
            arrays.put(split + "_images", Array.uint8(new int[] {n, size, size, 3}, pixels));
            arrays.put(split + "_labels", Array.int64(new int[] {n, 1}, labels));
        }
        return NpyFixtures.npz(dir.resolve(file), arrays, true);
    }

    private ExplanationDataset load(Map<String, String> raw, long seed) {
        DecoyDermProvider p = new DecoyDermProvider();
        return p.load(p.parameters().bind(p.name(), raw), seed, new DataContext(dir, dir, false));
    }

    @Test
    void buildsTheBinaryTaskWithLabelColouredSwatchesAndMasks() throws IOException {
        writeNpz(dir, "dermamnist_64.npz", 7, S);
        ExplanationDataset d = load(Map.of("dir", dir.toString(), "validation", "false"), 3);
        DataSplit train = d.train();
        assertEquals(14, train.size(), "train + val merged");
        assertTrue(d.validation().isEmpty());
        assertEquals(7, d.test().size());
        assertArrayEquals(new int[] {3, S, S}, train.exampleShape());
        int plane = S * S;
        int sw = S / 4;
        for (int i = 0; i < train.size(); i++) {
            int original = i % 7;
            assertEquals(original == DecoyDerm.NEVUS ? 0 : 1, train.labels()[i]);
            assertEquals(train.labels()[i], train.groups()[i]);
            float[] colour = train.labels()[i] == 0 ? DecoyDerm.COLOUR_0 : DecoyDerm.COLOUR_1;
            int base = i * 3 * plane;
            float maskSum = 0;
            for (int f = 0; f < 3 * plane; f++) {
                maskSum += train.masks()[base + f];
            }
            assertEquals(3 * sw * sw, maskSum, "one swatch on 3 channels");
            for (int c = 0; c < 3; c++) {
                for (int p = 0; p < plane; p++) {
                    float v = train.inputs()[base + c * plane + p];
                    if (train.masks()[base + c * plane + p] == 1f) {
                        assertEquals(colour[c], v, 0f);
                    } else {
                        assertEquals((10 + i % 7) / 255f, v, 1e-6f);
                    }
                }
            }
            // the swatch sits in a corner
            boolean corner = false;
            for (int[] c : new int[][] {{0, 0}, {0, S - 1}, {S - 1, 0}, {S - 1, S - 1}}) {
                corner |= train.masks()[base + c[0] * S + c[1]] == 1f;
            }
            assertTrue(corner, "swatch of example " + i + " covers a corner pixel");
        }
        DataSplit test = d.test();
        for (int i = 0; i < test.size(); i++) {
            float maskSum = 0;
            for (int f = 0; f < 3 * plane; f++) {
                maskSum += test.masks()[i * 3 * plane + f];
            }
            assertEquals(3 * 4 * sw * sw, maskSum, "test mask = the four corners");
        }
    }

    @Test
    void medmnistsValSplitIsTheValidationSplitWithTheTestSwatch() throws IOException {
        writeNpz(dir, "dermamnist_64.npz", 40, S);
        ExplanationDataset d = load(Map.of("dir", dir.toString(), "train-limit", "5"), 3);
        assertEquals(5, d.train().size(), "train-limit applies to train_images only");
        DataSplit v = d.validation().orElseThrow();
        assertEquals("decoy-derm/validation", v.name());
        assertEquals(40, v.size(), "every val image");
        int plane = S * S;
        int sw = S / 4;
        int labelColoured = 0;
        for (int i = 0; i < v.size(); i++) {
            assertEquals(i % 7 == DecoyDerm.NEVUS ? 0 : 1, v.labels()[i]);
            float maskSum = 0;
            for (int f = 0; f < 3 * plane; f++) {
                maskSum += v.masks()[i * 3 * plane + f];
            }
            assertEquals(3 * 4 * sw * sw, maskSum, "validation masks = the four corners, as in test");
            // the swatch's colour: find the corner that is not the image's own grey level
            float own = (10 + i % 7) / 255f;
            float[] colour = null;
            for (int[] c : new int[][] {{0, 0}, {0, S - 1}, {S - 1, 0}, {S - 1, S - 1}}) {
                int at = i * 3 * plane + c[0] * S + c[1];
                if (Math.abs(v.inputs()[at] - own) > 1e-6f) {
                    colour = new float[] {v.inputs()[at], v.inputs()[at + plane], v.inputs()[at + 2 * plane]};
                }
            }
            assertTrue(colour != null, "validation image " + i + " has a swatch");
            float[] ofLabel = v.labels()[i] == 0 ? DecoyDerm.COLOUR_0 : DecoyDerm.COLOUR_1;
            labelColoured += java.util.Arrays.equals(colour, ofLabel) ? 1 : 0;
        }
        assertTrue(labelColoured > 8 && labelColoured < 32,
                "the swatch colour is random, not the label's (" + labelColoured + " of 40 match)");
    }

    @Test
    void sameSeedSameDataOtherSeedOtherSwatchesLimitsApply() throws IOException {
        writeNpz(dir, "dermamnist_64.npz", 20, S);
        ExplanationDataset a = load(Map.of("dir", dir.toString()), 1);
        ExplanationDataset b = load(Map.of("dir", dir.toString()), 1);
        ExplanationDataset c = load(Map.of("dir", dir.toString()), 2);
        assertArrayEquals(a.train().inputs(), b.train().inputs());
        assertArrayEquals(a.test().inputs(), b.test().inputs());
        assertTrue(!java.util.Arrays.equals(a.train().masks(), c.train().masks()));
        assertEquals(a.checksum(), c.checksum());
        ExplanationDataset limited = load(Map.of("dir", dir.toString(), "train-limit", "5", "test-limit", "3"), 1);
        assertEquals(5, limited.train().size());
        assertEquals(3, limited.test().size());
    }

    @Test
    void missingFolderFileKeyAndWrongShapeAreClearUserErrors() throws IOException {
        MlxException noDir = assertThrows(MlxException.class, () -> load(Map.of(), 0));
        assertTrue(noDir.getMessage().contains("dir=") && noDir.getMessage().contains("dermamnist_64.npz"),
                noDir.getMessage());
        MlxException noFile = assertThrows(MlxException.class, () -> load(Map.of("dir", dir.toString()), 0));
        assertTrue(noFile.getMessage().contains("missing file") && noFile.getMessage().contains("medmnist"),
                noFile.getMessage());

        Map<String, Array> partial = new LinkedHashMap<>();
        partial.put("train_images", Array.uint8(new int[] {1, S, S, 3}, new byte[S * S * 3]));
        NpyFixtures.npz(dir.resolve("partial.npz"), partial, false);
        MlxException noKey = assertThrows(MlxException.class,
                () -> load(Map.of("dir", dir.toString(), "file", "partial.npz"), 0));
        assertTrue(noKey.getMessage().contains("has no array 'train_labels'"), noKey.getMessage());

        Map<String, Array> grey = new LinkedHashMap<>();
        for (String s : new String[] {"train", "val", "test"}) {
            grey.put(s + "_images", Array.uint8(new int[] {1, S, S}, new byte[S * S]));
            grey.put(s + "_labels", Array.int64(new int[] {1, 1}, new long[] {0}));
        }
        NpyFixtures.npz(dir.resolve("grey.npz"), grey, false);
        MlxException shape = assertThrows(MlxException.class,
                () -> load(Map.of("dir", dir.toString(), "file", "grey.npz"), 0));
        assertTrue(shape.getMessage().contains("[1, 16, 16]") && shape.getMessage().contains("RGB"),
                shape.getMessage());
    }
}
