package dev.mlx.vision.mnist;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mlx.api.data.fetch.Sha256;
import dev.mlx.api.error.ErrorKind;
import dev.mlx.api.error.MlxException;
import dev.mlx.vision.fixtures.IdxFixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/** {@link FashionMnistSource} on a generated folder laid out like Debian's dataset-fashion-mnist. */
class FashionMnistSourceTest {
    @TempDir
    Path dir;

    private final MnistSplit train = IdxFixtures.randomSplit(40, 28, 28, 21);
    private final MnistSplit test = IdxFixtures.randomSplit(15, 28, 28, 22);
    private Path debian;
    private Map<MnistFile, String> pins;

    @BeforeEach
    void setUp() throws IOException {
        debian = IdxFixtures.writeMnistFolder(dir.resolve("fashion-mnist"), train, test, true);
        pins = new EnumMap<>(MnistFile.class);
        for (MnistFile f : MnistFile.values()) {
            pins.put(f, MnistSourceTest.sha256(Files.readAllBytes(debian.resolve(f.fileName() + ".gz"))));
        }
    }

    @Test
    void debianPinsAreTheFourShippedFiles() {
        Map<MnistFile, String> shipped = FashionMnistSource.pinnedChecksums();
        assertEquals(4, shipped.size());
        assertEquals(4, new HashSet<>(shipped.values()).size());
        shipped.values().forEach(h -> assertTrue(h.matches("[0-9a-f]{64}"), h));
        assertEquals("b0564c3eedabfbf835052cff8503ea422014ce006caf5b757f851416ee8300c7",
                shipped.get(MnistFile.TRAIN_IMAGES), "sha256 of train-images-idx3-ubyte.gz in 0.0~git20200523.55506a9-1");
        assertEquals(Path.of("/usr/share/datasets/fashion-mnist"), new FashionMnistSource().folder());
    }

    @Test
    void readsAndVerifiesThePackageFolder() {
        MnistData data = new FashionMnistSource(debian, pins).load("");

        assertArrayEquals(train.pixels(), data.train().pixels());
        assertArrayEquals(train.labels(), data.train().labels());
        assertArrayEquals(test.pixels(), data.test().pixels());
        assertArrayEquals(test.labels(), data.test().labels());
        Map<String, String> named = new java.util.TreeMap<>();
        pins.forEach((f, h) -> named.put(f.fileName(), h));
        assertEquals(Sha256.combined(named), data.checksum(), "the checksum combines the four verified hashes");
    }

    @Test
    void aFileWithTheWrongChecksumIsAUserErrorSayingToReinstall() throws IOException {
        Path labels = debian.resolve("t10k-labels-idx1-ubyte.gz");
        byte[] other = IdxFixtures.gzip(IdxFixtures.labelsIdx(IdxFixtures.randomSplit(15, 28, 28, 99)));
        Files.write(labels, other);

        MlxException e = userError(() -> new FashionMnistSource(debian, pins).load(""));

        assertContains(e, labels.toString(), MnistSourceTest.sha256(other), pins.get(MnistFile.TEST_LABELS),
                "apt-get install --reinstall dataset-fashion-mnist", "dir=");
    }

    @Test
    void aPinThatDoesNotMatchIsAUserError() {
        Map<MnistFile, String> wrong = new EnumMap<>(pins);
        wrong.put(MnistFile.TRAIN_IMAGES, "0".repeat(64));

        assertContains(userError(() -> new FashionMnistSource(debian, wrong).load("")),
                "train-images-idx3-ubyte.gz has sha256 " + pins.get(MnistFile.TRAIN_IMAGES), "expected " + "0".repeat(64));
    }

    @Test
    void aMissingFolderNamesTheAptPackageAndDir() {
        Path absent = dir.resolve("absent");

        MlxException e = userError(() -> new FashionMnistSource(absent, pins).load(""));

        assertContains(e, absent.toString(), "apt-get install dataset-fashion-mnist", "dir=");
    }

    @Test
    void aMissingFileInThePackageFolderIsNamed() throws IOException {
        Files.delete(debian.resolve("train-labels-idx1-ubyte.gz"));

        assertContains(userError(() -> new FashionMnistSource(debian, pins).load("")),
                "train-labels-idx1-ubyte.gz", "apt-get install --reinstall dataset-fashion-mnist");
    }

    @Test
    void userFolderIsReadWithoutPins() throws IOException {
        MnistSplit mineTrain = IdxFixtures.randomSplit(12, 28, 28, 31);
        Path mine = IdxFixtures.writeMnistFolder(dir.resolve("mine"), mineTrain, test, false);
        Map<MnistFile, String> unrelated = new EnumMap<>(pins);
        unrelated.replaceAll((f, h) -> "f".repeat(64));

        MnistData data = new FashionMnistSource(debian, unrelated).load(mine.toString());

        assertArrayEquals(mineTrain.pixels(), data.train().pixels());
        assertNotEquals(new FashionMnistSource(debian, pins).load("").checksum(), data.checksum());
    }

    @Test
    void userFolderProblemsAreUserErrors() throws IOException {
        FashionMnistSource source = new FashionMnistSource(debian, pins);
        Path absent = dir.resolve("nope");
        assertContains(userError(() -> source.load(absent.toString())), "dir=" + absent, "not a folder");

        Path mine = IdxFixtures.writeMnistFolder(dir.resolve("mine"), train, test, false);
        Files.delete(mine.resolve("t10k-images-idx3-ubyte"));
        assertContains(userError(() -> source.load(mine.toString())), "dir=" + mine, "t10k-images-idx3-ubyte");
    }

    @Test
    void labelsOutsideZeroToNineAreRejected() throws IOException {
        byte[] labels = train.labels().clone();
        labels[5] = 10;
        MnistSplit bad = new MnistSplit(train.count(), 28, 28, train.pixels(), labels);
        Path mine = IdxFixtures.writeMnistFolder(dir.resolve("bad"), bad, test, true);

        assertContains(userError(() -> new FashionMnistSource(debian, pins).load(mine.toString())),
                "label 5 is 10", "Fashion-MNIST", "0..9");
    }

    static MlxException userError(Executable action) {
        MlxException e = assertThrows(MlxException.class, action);
        assertEquals(ErrorKind.USER, e.kind(), e::getMessage);
        return e;
    }

    static void assertContains(MlxException e, String... parts) {
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), () -> "'" + part + "' not in: " + e.getMessage());
        }
    }
}
