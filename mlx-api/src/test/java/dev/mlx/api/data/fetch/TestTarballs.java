package dev.mlx.api.data.fetch;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

/**
 * Writes small gzip-compressed ustar archives, as {@code npm pack} does, for tests (shipped in
 * mlx-api's test-jar for plugin tests).
 */
public final class TestTarballs {
    private TestTarballs() {}

    /**
     * @param entries path inside the archive to content, in iteration order; a path longer than
     *     100 characters is split into the ustar prefix and name
     * @return the gzip-compressed tar archive
     */
    public static byte[] tarGz(Map<String, byte[]> entries) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream out = new GZIPOutputStream(bytes)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                out.write(header(e.getKey(), e.getValue().length, (byte) '0'));
                out.write(e.getValue());
                out.write(new byte[(512 - e.getValue().length % 512) % 512]);
            }
            out.write(new byte[1024]);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /**
     * @param target the {@code .tgz} to write
     * @param entries path inside the archive to content, in order, as in {@link #tarGz}
     * @return {@code target}
     * @throws IOException if writing fails
     */
    public static Path write(Path target, Map<String, byte[]> entries) throws IOException {
        return Files.write(target, tarGz(entries));
    }

    /**
     * One ustar header block with a valid checksum.
     *
     * @param path the entry path; over 100 characters it is split at a slash into prefix and name
     * @param size the entry size
     * @param type the type flag, e.g. {@code '0'} (file), {@code '5'} (folder), {@code 'L'} (GNU long name)
     * @return the 512-byte header
     */
    public static byte[] header(String path, long size, byte type) {
        byte[] h = new byte[512];
        String name = path;
        String prefix = "";
        if (path.length() > 100) {
            int slash = path.lastIndexOf('/', path.length() - 2);
            prefix = path.substring(0, slash);
            name = path.substring(slash + 1);
        }
        put(h, 0, name);
        put(h, 100, "0000644");
        put(h, 108, "0000000");
        put(h, 116, "0000000");
        put(h, 124, String.format("%011o", size));
        put(h, 136, String.format("%011o", 0));
        h[156] = type;
        put(h, 257, "ustar");
        put(h, 263, "00");
        put(h, 345, prefix);
        for (int i = 148; i < 156; i++) {
            h[i] = ' ';
        }
        long sum = 0;
        for (byte b : h) {
            sum += b & 0xFF;
        }
        put(h, 148, String.format("%06o", sum));
        h[154] = 0;
        h[155] = ' ';
        return h;
    }

    private static void put(byte[] header, int offset, String text) {
        byte[] b = text.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(b, 0, header, offset, b.length);
    }
}
