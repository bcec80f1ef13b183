package dev.mlx.vision.mnist;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mlx.vision.fixtures.IdxFixtures;
import dev.mlx.vision.fixtures.TarGzFixtures;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TarGzReaderTest {
    @TempDir
    Path dir;

    @Test
    void readsEveryEntryWithItsContent() throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("package/a", bytes(0, 1));
        entries.put("package/empty", new byte[0]);
        entries.put("package/exactly-one-block", bytes(512, 2));
        entries.put("package/" + "d".repeat(90) + "/long-name-in-the-ustar-prefix", bytes(1500, 3));
        Path tgz = Files.write(dir.resolve("t.tgz"), TarGzFixtures.tarGz(entries));

        Map<String, byte[]> read = new LinkedHashMap<>();
        TarGzReader.forEachFile(tgz, (name, size, content) -> {
            byte[] data = content.readAllBytes();
            assertEquals(size, data.length);
            read.put(name, data);
        });

        assertEquals(entries.keySet(), read.keySet());
        entries.forEach((name, data) -> assertArrayEquals(data, read.get(name), name));
    }

    @Test
    void entriesNeedNotBeReadToTheEnd() throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("first", bytes(3000, 4));
        entries.put("second", bytes(10, 5));
        Path tgz = Files.write(dir.resolve("t.tgz"), TarGzFixtures.tarGz(entries));

        Map<String, byte[]> read = new LinkedHashMap<>();
        TarGzReader.forEachFile(tgz, (name, size, content) -> read.put(name, content.readNBytes(5)));

        assertArrayEquals(Arrays.copyOf(entries.get("second"), 5), read.get("second"));
    }

    @Test
    void corruptHeaderIsDetected() throws IOException {
        byte[] tar = gunzip(TarGzFixtures.tarGz(Map.of("x", bytes(10, 6))));
        tar[0] = 'y';
        Path tgz = Files.write(dir.resolve("bad.tgz"), IdxFixtures.gzip(tar));

        IOException e = assertThrows(IOException.class, () -> TarGzReader.forEachFile(tgz, (n, s, c) -> {}));
        assertTrue(e.getMessage().contains("checksum"), e.getMessage());
    }

    private static byte[] bytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static byte[] gunzip(byte[] gz) throws IOException {
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
            return in.readAllBytes();
        }
    }
}
