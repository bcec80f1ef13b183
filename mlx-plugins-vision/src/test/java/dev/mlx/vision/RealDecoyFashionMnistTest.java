package dev.mlx.vision;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.mlx.api.data.DataContext;
import dev.mlx.api.data.ExplanationDataset;
import dev.mlx.vision.decoy.DecoyFashionMnistProvider;
import dev.mlx.vision.mnist.FashionMnistSource;
import dev.mlx.vision.mnist.MnistData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real files of Debian's {@code dataset-fashion-mnist} (0.0~git20200523.55506a9-1): the pins
 * match and the data is Fashion-MNIST. Runs wherever the package is installed (about a second:
 * it hashes and decompresses 30 MB); skipped elsewhere.
 */
@EnabledIf("packageInstalled")
class RealDecoyFashionMnistTest {
    /** SHA-256 of the lines "<sha256 of the .gz file>  <name without .gz>\n" of the four files, sorted by name. */
    private static final String CHECKSUM = "1752fc8f03718547183a02ae2e5e6d109299a53ff2f01d83133ef15310a3f2b6";

    @TempDir
    Path tmp;

    static boolean packageInstalled() {
        return Files.isDirectory(FashionMnistSource.DEBIAN_FOLDER);
    }

    @Test
    void thePackageFilesMatchTheirPinsAndHoldFashionMnist() {
        MnistData data = new FashionMnistSource().load("");

        assertEquals(CHECKSUM, data.checksum());
        assertEquals(60_000, data.train().count());
        assertEquals(10_000, data.test().count());
        assertEquals(28, data.train().rows());
        assertEquals(9, data.train().label(0), "the first Fashion-MNIST training image is an ankle boot");
        assertEquals(9, data.test().label(0), "the first Fashion-MNIST test image is an ankle boot");
    }

    @Test
    void buildsDecoyFashionMnistFromThePackage() {
        DecoyFashionMnistProvider provider = new DecoyFashionMnistProvider();
        ExplanationDataset data = provider.load(
                provider.parameters().bind(provider.name(), Map.of("train-limit", "500", "test-limit", "200")), 0,
                new DataContext(tmp, tmp, false));

        assertEquals(CHECKSUM, data.checksum());
        assertEquals(500, data.train().size());
        assertEquals(200, data.test().size());
        assertEquals(10, data.numClasses());
    }
}
