package dev.mlx.vision.mnist;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * A minimal reader of gzip-compressed tar archives (such as the tarballs {@code npm pack}
 * writes): POSIX ustar 512-byte headers with the name prefix, GNU long names ({@code 'L'}),
 * header checksums. Only regular files are handed out; directories, links and pax headers are
 * skipped.
 */
final class TarGzReader {
    private static final int BLOCK = 512;

    /** Receives one regular file of the archive. */
    @FunctionalInterface
    interface EntryHandler {
        /**
         * @param name the entry path inside the archive, e.g. {@code package/data/x}
         * @param size the entry size in bytes
         * @param content the entry's bytes; need not be read to the end, must not be closed
         */
        void accept(String name, long size, InputStream content) throws IOException;
    }

    private TarGzReader() {}

    /**
     * Calls {@code handler} for every regular file in the archive, in archive order.
     *
     * @throws IOException if the archive cannot be read or is malformed
     */
    static void forEachFile(Path tgz, EntryHandler handler) throws IOException {
        try (InputStream in = new BufferedInputStream(new GZIPInputStream(Files.newInputStream(tgz), 1 << 16), 1 << 16)) {
            byte[] header = new byte[BLOCK];
            String longName = null;
            while (true) {
                if (in.readNBytes(header, 0, BLOCK) < BLOCK) {
                    throw new EOFException("the archive ends inside a tar header");
                }
                if (isZero(header)) {
                    return;
                }
                verifyChecksum(header);
                String name = longName != null ? longName : name(header);
                longName = null;
                long size = octal(header, 124, 12);
                byte type = header[156];
                Entry entry = new Entry(in, size);
                if (type == 'L') {
                    longName = trimNul(new String(entry.readAllBytes(), StandardCharsets.UTF_8));
                } else if (type == '0' || type == 0) {
                    handler.accept(name, size, entry);
                }
                entry.skipRest();
                in.skipNBytes((BLOCK - size % BLOCK) % BLOCK);
            }
        }
    }

    private static boolean isZero(byte[] block) {
        for (byte b : block) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    private static void verifyChecksum(byte[] header) throws IOException {
        long expected = octal(header, 148, 8);
        long sum = 0;
        for (int i = 0; i < BLOCK; i++) {
            sum += (i >= 148 && i < 156) ? ' ' : header[i] & 0xFF;
        }
        if (sum != expected) {
            throw new IOException("tar header checksum mismatch (corrupt archive)");
        }
    }

    private static String name(byte[] header) {
        String name = string(header, 0, 100);
        boolean ustar = string(header, 257, 5).equals("ustar");
        String prefix = ustar ? string(header, 345, 155) : "";
        return prefix.isEmpty() ? name : prefix + "/" + name;
    }

    private static String string(byte[] header, int offset, int length) {
        int end = offset;
        while (end < offset + length && header[end] != 0) {
            end++;
        }
        return new String(header, offset, end - offset, StandardCharsets.UTF_8);
    }

    private static String trimNul(String s) {
        int nul = s.indexOf('\0');
        return nul < 0 ? s : s.substring(0, nul);
    }

    private static long octal(byte[] header, int offset, int length) throws IOException {
        if ((header[offset] & 0x80) != 0) {
            throw new IOException("tar entries over 8 GB (base-256 sizes) are not supported");
        }
        String text = string(header, offset, length).trim();
        if (text.isEmpty()) {
            return 0;
        }
        try {
            return Long.parseLong(text, 8);
        } catch (NumberFormatException e) {
            throw new IOException("malformed octal number '" + text + "' in a tar header", e);
        }
    }

    /** The bytes of one entry: a view of the archive stream that stops after {@code size} bytes. */
    private static final class Entry extends FilterInputStream {
        private long remaining;

        Entry(InputStream in, long size) {
            super(in);
            this.remaining = size;
        }

        @Override
        public int read() throws IOException {
            if (remaining <= 0) {
                return -1;
            }
            int b = in.read();
            if (b < 0) {
                throw new EOFException("the archive ends inside an entry");
            }
            remaining--;
            return b;
        }

        @Override
        public int read(byte[] buf, int off, int len) throws IOException {
            if (remaining <= 0) {
                return -1;
            }
            int n = in.read(buf, off, (int) Math.min(len, remaining));
            if (n < 0) {
                throw new EOFException("the archive ends inside an entry");
            }
            remaining -= n;
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long skipped = in.skip(Math.min(n, remaining));
            remaining -= skipped;
            return skipped;
        }

        @Override
        public int available() throws IOException {
            return (int) Math.min(in.available(), remaining);
        }

        @Override
        public boolean markSupported() {
            return false;
        }

        @Override
        public void close() {
            // the archive stream stays open for the next entry
        }

        void skipRest() throws IOException {
            in.skipNBytes(remaining);
            remaining = 0;
        }
    }
}
