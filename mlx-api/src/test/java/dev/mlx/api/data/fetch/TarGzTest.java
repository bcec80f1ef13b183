package dev.mlx.api.data.fetch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TarGzTest {
    private static final String LONG = "package/" + "d".repeat(90) + "/long-name-in-the-ustar-prefix";

    @TempDir
    Path dir;

    private static Map<String, byte[]> entries() {
        Map<String, byte[]> e = new LinkedHashMap<>();
        e.put("package/package.json", "{}".getBytes(StandardCharsets.UTF_8));
        e.put("package/empty", new byte[0]);
        e.put("package/exactly-one-block", bytes(512, 2));
        e.put(LONG, bytes(1500, 3));
        e.put("package/last.txt", "last".getBytes(StandardCharsets.UTF_8));
        return e;
    }

    @Test
    void readsEveryEntryWithItsContentAndFullName() throws IOException {
        Map<String, byte[]> expected = entries();
        Path tgz = TestTarballs.write(dir.resolve("t.tgz"), expected);

        Map<String, byte[]> read = new LinkedHashMap<>();
        TarGz.forEach(tgz, (name, size, content) -> {
            byte[] data = content.readAllBytes();
            assertEquals(size, data.length);
            assertEquals(-1, content.read(), "nothing past the entry");
            read.put(name, data);
            return true;
        });

        assertEquals(new ArrayList<>(expected.keySet()), new ArrayList<>(read.keySet()), "archive order, prefix/name");
        expected.forEach((name, data) -> assertArrayEquals(data, read.get(name), name));
    }

    @Test
    void unreadAndPartlyReadEntriesAreSkipped() throws IOException {
        Map<String, byte[]> expected = entries();
        Path tgz = TestTarballs.write(dir.resolve("t.tgz"), expected);

        List<String> names = new ArrayList<>();
        TarGz.forEach(tgz, (name, size, content) -> names.add(name));
        assertEquals(new ArrayList<>(expected.keySet()), names, "unread content is skipped");

        Map<String, byte[]> firstFive = new LinkedHashMap<>();
        TarGz.forEach(tgz, (name, size, content) -> firstFive.put(name, content.readNBytes(5)) == null);
        assertArrayEquals(Arrays.copyOf(expected.get(LONG), 5), firstFive.get(LONG));
        assertArrayEquals("last".getBytes(StandardCharsets.UTF_8), firstFive.get("package/last.txt"));
    }

    @Test
    void theVisitorCanStopTheWalk() throws IOException {
        Path tgz = TestTarballs.write(dir.resolve("t.tgz"), entries());
        List<String> names = new ArrayList<>();
        TarGz.forEach(tgz, (name, size, content) -> names.add(name) && !name.equals("package/empty"));
        assertEquals(List.of("package/package.json", "package/empty"), names);
    }

    @Test
    void copyEntryCopiesOneFileAndNamesAMissingOne() throws IOException {
        Map<String, byte[]> expected = entries();
        Path tgz = TestTarballs.write(dir.resolve("t.tgz"), expected);
        Path copy = dir.resolve("copy");

        TarGz.copyEntry(tgz, LONG, copy);

        assertArrayEquals(expected.get(LONG), Files.readAllBytes(copy));
        IOException e = assertThrows(IOException.class, () -> TarGz.copyEntry(tgz, "package/none", copy));
        assertTrue(e.getMessage().contains("holds no package/none"), e.getMessage());
    }

    @Test
    void aTruncatedArchiveIsAnErrorNamingIt() throws IOException {
        Path tgz = TestTarballs.write(dir.resolve("t.tgz"), entries());
        byte[] all = Files.readAllBytes(tgz);
        Path cut = Files.write(dir.resolve("cut.tgz"), Arrays.copyOf(all, all.length / 2));

        IOException e = assertThrows(IOException.class, () -> TarGz.forEach(cut, (name, size, content) -> {
            content.readAllBytes();
            return true;
        }));
        assertTrue(e.getMessage().contains("cut.tgz") && e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void aTarCutInsideAnEntryOrWithoutItsEndBlockIsTruncated() throws IOException {
        byte[] tar = gunzip(TestTarballs.tarGz(Map.of("x", bytes(1000, 1))));
        Path insideEntry = Files.write(dir.resolve("entry.tgz"), gzip(Arrays.copyOf(tar, 512 + 700)));
        Path noEnd = Files.write(dir.resolve("noend.tgz"), gzip(Arrays.copyOf(tar, 512 + 1024)));

        IOException a = assertThrows(IOException.class, () -> TarGz.forEach(insideEntry, (n, s, c) -> true));
        assertTrue(a.getMessage().contains("truncated") && a.getMessage().contains("inside an entry"), a.getMessage());
        IOException b = assertThrows(IOException.class, () -> TarGz.forEach(noEnd, (n, s, c) -> true));
        assertTrue(b.getMessage().contains("truncated"), b.getMessage());
    }

    @Test
    void aCorruptHeaderIsDetectedByItsChecksum() throws IOException {
        byte[] tar = gunzip(TestTarballs.tarGz(Map.of("x", bytes(10, 6))));
        tar[0] = 'y';
        Path tgz = Files.write(dir.resolve("bad.tgz"), gzip(tar));

        IOException e = assertThrows(IOException.class, () -> TarGz.forEach(tgz, (n, s, c) -> true));
        assertTrue(e.getMessage().contains("checksum") && e.getMessage().contains("bad.tgz"), e.getMessage());
    }

    @Test
    void aMalformedSizeIsAnErrorNamingTheEntry() throws IOException {
        byte[] header = TestTarballs.header("package/x", 0, (byte) '0');
        header[124] = '9';
        fixChecksum(header);
        Path tgz = Files.write(dir.resolve("size.tgz"), gzip(concat(header, new byte[1024])));

        IOException e = assertThrows(IOException.class, () -> TarGz.forEach(tgz, (n, s, c) -> true));
        assertTrue(e.getMessage().contains("package/x") && e.getMessage().contains("octal"), e.getMessage());
    }

    @Test
    void gnuLongNamesAndPaxPathsNameTheNextEntryAndFoldersAreSkipped() throws IOException {
        String gnu = "package/" + "g".repeat(150) + ".txt";
        byte[] gnuName = (gnu + "\0").getBytes(StandardCharsets.UTF_8);
        String pax = "package/" + "p".repeat(120) + ".txt";
        String record = " path=" + pax + "\n";
        String paxBody = (record.length() + String.valueOf(record.length() + 3).length()) + record;
        byte[] paxBytes = paxBody.getBytes(StandardCharsets.UTF_8);
        byte[] tar = concat(
                TestTarballs.header("package/folder/", 0, (byte) '5'),
                TestTarballs.header("././@LongLink", gnuName.length, (byte) 'L'), padded(gnuName),
                TestTarballs.header("package/x", 3, (byte) '0'), padded(new byte[] {1, 2, 3}),
                TestTarballs.header("PaxHeader/y", paxBytes.length, (byte) 'x'), padded(paxBytes),
                TestTarballs.header("package/y", 1, (byte) '0'), padded(new byte[] {4}),
                new byte[1024]);
        Path tgz = Files.write(dir.resolve("long.tgz"), gzip(tar));

        Map<String, byte[]> read = new LinkedHashMap<>();
        TarGz.forEach(tgz, (name, size, content) -> read.put(name, content.readAllBytes()) == null);

        assertEquals(List.of(gnu, pax), new ArrayList<>(read.keySet()));
        assertArrayEquals(new byte[] {1, 2, 3}, read.get(gnu));
        assertArrayEquals(new byte[] {4}, read.get(pax));
    }

    private static byte[] bytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static byte[] padded(byte[] data) {
        return Arrays.copyOf(data, (data.length + 511) / 512 * 512);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    private static void fixChecksum(byte[] header) {
        Arrays.fill(header, 148, 156, (byte) ' ');
        long sum = 0;
        for (byte b : header) {
            sum += b & 0xFF;
        }
        byte[] octal = String.format("%06o", sum).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(octal, 0, header, 148, octal.length);
        header[154] = 0;
    }

    private static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream out = new GZIPOutputStream(bytes)) {
            out.write(data);
        }
        return bytes.toByteArray();
    }

    private static byte[] gunzip(byte[] gz) throws IOException {
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
            return in.readAllBytes();
        }
    }
}
