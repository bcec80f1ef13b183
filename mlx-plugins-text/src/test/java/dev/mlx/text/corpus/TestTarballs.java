package dev.mlx.text.corpus;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

/** Writes small gzip-compressed ustar archives, as {@code npm pack} does, for tests. */
public final class TestTarballs {
    private TestTarballs() {}

    /**
     * @param target the {@code .tgz} to write
     * @param entries entry path to content, in order
     * @throws IOException if writing fails
     */
    public static void write(Path target, Map<String, byte[]> entries) throws IOException {
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(target))) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                byte[] header = new byte[512];
                String name = e.getKey();
                String prefix = "";
                if (name.length() > 100) {
                    int slash = name.lastIndexOf('/', name.length() - 2);
                    prefix = name.substring(0, slash);
                    name = name.substring(slash + 1);
                }
                put(header, 0, name);
                put(header, 100, "0000644");
                put(header, 124, String.format("%011o", e.getValue().length));
                put(header, 136, "00000000000");
                header[156] = '0';
                put(header, 257, "ustar");
                put(header, 345, prefix);
                for (int i = 148; i < 156; i++) {
                    header[i] = ' ';
                }
                int sum = 0;
                for (byte b : header) {
                    sum += b & 0xff;
                }
                put(header, 148, String.format("%06o", sum));
                out.write(header);
                out.write(e.getValue());
                out.write(new byte[(512 - e.getValue().length % 512) % 512]);
            }
            out.write(new byte[1024]);
        }
    }

    private static void put(byte[] header, int at, String s) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(b, 0, header, at, b.length);
    }
}
