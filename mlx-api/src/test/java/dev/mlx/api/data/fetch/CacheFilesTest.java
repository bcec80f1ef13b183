package dev.mlx.api.data.fetch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CacheFilesTest {
    private static final byte[] DATA = "some cached bytes".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path dir;

    @Test
    void aFileWithItsPinnedHashIsInstalledReplacingTheOldOne() throws IOException {
        Path target = Files.write(dir.resolve("data.bin"), new byte[] {9});
        String pin = Sha256.hex(Sha256.newDigest().digest(DATA));

        CacheFiles.install(new ByteArrayInputStream(DATA), target, pin, "data.bin in p@1");

        assertArrayEquals(DATA, Files.readAllBytes(target));
        assertTrue(CacheFiles.isPinned(target, pin));
        assertEquals(List.of(target), list(dir), "no temporary file is left");
    }

    @Test
    void aFileWithAnotherHashIsNeverInstalledAndNoPartIsLeft() throws IOException {
        Path target = dir.resolve("data.bin");
        String wrong = "f".repeat(64);

        FetchException e = assertThrows(FetchException.class,
                () -> CacheFiles.install(new ByteArrayInputStream(DATA), target, wrong, "data.bin in p@1"));

        assertTrue(e.getMessage().contains("data.bin in p@1") && e.getMessage().contains("expected " + wrong),
                e.getMessage());
        assertFalse(Files.exists(target));
        assertEquals(List.of(), list(dir));
        assertFalse(CacheFiles.isPinned(target, wrong), "a missing file is not pinned");
    }

    @Test
    void deleteRecursivelyRemovesAWholeFolder() throws IOException {
        Path work = Files.createDirectories(dir.resolve("work").resolve("a").resolve("b"));
        Files.write(work.resolve("f"), DATA);
        Files.write(dir.resolve("work").resolve("g"), DATA);

        assertEquals(List.of(), CacheFiles.deleteRecursively(dir.resolve("work")));
        assertFalse(Files.exists(dir.resolve("work")));
        assertEquals(List.of(), CacheFiles.deleteRecursively(null));
    }

    @Test
    void sha256MatchesTheStandardVectorsAndCombinesLikeSha256sum() throws IOException {
        Path abc = Files.write(dir.resolve("abc"), "abc".getBytes(StandardCharsets.US_ASCII));
        String hash = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

        assertEquals(hash, Sha256.of(abc), "FIPS 180-2 test vector");
        assertEquals(hash, Sha256.ofUserFile(abc));
        String lines = "1".repeat(64) + "  a\n" + hash + "  b\n";
        assertEquals(Sha256.hex(Sha256.newDigest().digest(lines.getBytes(StandardCharsets.UTF_8))),
                Sha256.combined(java.util.Map.of("b", hash, "a", "1".repeat(64))), "sorted by name");
    }

    private static List<Path> list(Path folder) throws IOException {
        try (Stream<Path> s = Files.list(folder)) {
            return s.toList();
        }
    }
}
