package dev.mlx.vision.decoy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mlx.api.data.DataContext;
import dev.mlx.api.data.DataSplit;
import dev.mlx.api.data.ExplanationDataset;
import dev.mlx.api.data.ValidationSplit;
import dev.mlx.api.error.MlxException;
import dev.mlx.api.param.HyperParameters;
import dev.mlx.vision.fixtures.IdxFixtures;
import dev.mlx.vision.mnist.FashionMnistSource;
import dev.mlx.vision.mnist.MnistFile;
import dev.mlx.vision.mnist.MnistSplit;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code decoy-fashion-mnist} on generated IDX files laid out like Debian's dataset-fashion-mnist. */
class DecoyFashionMnistProviderTest {
    @TempDir
    Path dir;

    private final MnistSplit train = IdxFixtures.randomSplit(30, 28, 28, 41);
    private final MnistSplit test = IdxFixtures.randomSplit(20, 28, 28, 42);
    private Path debian;
    private Map<MnistFile, String> pins;
    private DataContext context;

    @BeforeEach
    void setUp() throws IOException {
        debian = IdxFixtures.writeMnistFolder(dir.resolve("fashion-mnist"), train, test, true);
        pins = new EnumMap<>(MnistFile.class);
        for (MnistFile f : MnistFile.values()) {
            pins.put(f, sha256(Files.readAllBytes(debian.resolve(f.fileName() + ".gz"))));
        }
        context = new DataContext(dir, dir.resolve("cache"), false);
    }

    @Test
    void declaresItsParameters() {
        DecoyFashionMnistProvider provider = new DecoyFashionMnistProvider();
        assertEquals("decoy-fashion-mnist", provider.name());
        assertEquals(Map.of("dir", "", "train-limit", 0, "test-limit", 0, "validation-fraction", 0.1),
                provider.parameters().defaults().asMap());
        assertThrows(MlxException.class, () -> provider.parameters().bind(provider.name(), Map.of("test-limit", "-3")));
    }

    @Test
    void appliesTheDecoyMnistRecipeToTheVerifiedPackageFiles() {
        DecoyFashionMnistProvider provider = new DecoyFashionMnistProvider(new FashionMnistSource(debian, pins));
        HyperParameters params = provider.parameters().bind(provider.name(), Map.of("train-limit", "25"));

        ExplanationDataset data = provider.load(params, 3, context);

        assertEquals("decoy-fashion-mnist", data.name());
        assertEquals(25, data.train().size());
        assertEquals(20, data.test().size());
        assertEquals(64, data.checksum().length());
        // 3 of the 30 training images are held out for validation (with the test recipe); training = the rest
        int[] held = ValidationSplit.heldOut(provider.name(), train.count(), 0.1);
        ExplanationDataset expected = DecoyMnist.build("decoy-fashion-mnist",
                train.select(ValidationSplit.remaining(train.count(), held)).first(25), test, 3, data.checksum());
        ExplanationDataset expectedValidation = DecoyMnist.build("v", train.select(held), train.select(held),
                ValidationSplit.decoySeed(3), data.checksum());
        assertArrayEquals(expectedValidation.test().inputs(), data.validation().orElseThrow().inputs());
        assertArrayEquals(expectedValidation.test().masks(), data.validation().orElseThrow().masks());
        assertArrayEquals(expected.train().inputs(), data.train().inputs(), "the same construction as decoy-mnist");
        assertArrayEquals(expected.train().masks(), data.train().masks());
        assertArrayEquals(expected.test().inputs(), data.test().inputs());
        assertArrayEquals(expected.test().masks(), data.test().masks());
        assertMaskSums(data.train(), 16);
        assertMaskSums(data.test(), 64);
        int f = data.train().featureCount();
        for (int i = 0; i < data.train().size(); i++) {
            float level = DecoyMnist.patchLevel(data.train().labels()[i]);
            for (int j = 0; j < f; j++) {
                if (data.train().masks()[i * f + j] == 1f) {
                    assertEquals(level, data.train().inputs()[i * f + j], "patch of example " + i);
                }
            }
        }
        assertArrayEquals(data.test().labels(), data.test().groups());
    }

    @Test
    void aCorruptPackageFileStopsTheLoad() throws IOException {
        Files.write(debian.resolve("train-images-idx3-ubyte.gz"), IdxFixtures.gzip(IdxFixtures.imagesIdx(test)));
        DecoyFashionMnistProvider provider = new DecoyFashionMnistProvider(new FashionMnistSource(debian, pins));

        MlxException e = assertThrows(MlxException.class,
                () -> provider.load(provider.parameters().defaults(), 0, context));

        assertTrue(e.getMessage().contains("train-images-idx3-ubyte.gz has sha256"), e.getMessage());
        assertTrue(e.getMessage().contains("apt-get install --reinstall dataset-fashion-mnist"), e.getMessage());
    }

    @Test
    void withoutThePackageTheErrorNamesItAndDir() {
        DecoyFashionMnistProvider provider =
                new DecoyFashionMnistProvider(new FashionMnistSource(dir.resolve("not-installed"), pins));

        MlxException e = assertThrows(MlxException.class,
                () -> provider.load(provider.parameters().defaults(), 0, context));

        assertTrue(e.getMessage().contains("apt-get install dataset-fashion-mnist"), e.getMessage());
        assertTrue(e.getMessage().contains("dir="), e.getMessage());
    }

    @Test
    void aUserFolderNeedsNoPackage() throws IOException {
        Path mine = IdxFixtures.writeMnistFolder(dir.resolve("mine"), train, test, false);
        DecoyFashionMnistProvider provider =
                new DecoyFashionMnistProvider(new FashionMnistSource(dir.resolve("not-installed"), pins));

        ExplanationDataset data = provider.load(
                provider.parameters().bind(provider.name(), Map.of("dir", mine.toString(), "test-limit", "7")), 1, context);

        assertEquals(27, data.train().size(), "30 less the 3 validation images");
        assertEquals(3, data.validation().orElseThrow().size());
        assertEquals(7, data.test().size());
    }

    static void assertMaskSums(DataSplit split, float expected) {
        int f = split.featureCount();
        for (int i = 0; i < split.size(); i++) {
            float sum = 0;
            for (int j = 0; j < f; j++) {
                sum += split.masks()[i * f + j];
            }
            assertEquals(expected, sum, split.name() + " example " + i);
        }
    }

    private static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
