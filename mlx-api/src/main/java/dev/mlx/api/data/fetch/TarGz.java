package dev.mlx.api.data.fetch;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Reads the regular files of a gzip-compressed tar archive (such as the tarballs {@code npm pack}
 * writes) in archive order, without extracting anything else. Understood: POSIX ustar 512-byte
 * headers with the name prefix ({@code prefix/name}), GNU long names (type {@code 'L'}) and the
 * {@code path} of pax extended headers (type {@code 'x'}). Every header's checksum is verified
 * (the sum of its bytes with the checksum field read as spaces, unsigned as POSIX says or signed as
 * some old tars wrote it). Directories, links and other entry types are skipped; sizes over 8 GB
 * (base-256) are rejected. An archive that ends inside a header or an entry, or without its
 * end-of-archive block, is an error naming the archive as truncated.
 */
public final class TarGz {
    private static final int BLOCK = 512;
    private static final int BUFFER = 1 << 16;

    private TarGz() {}

    /** Receives one regular file of the archive. */
    @FunctionalInterface
    public interface EntryVisitor {
        /**
         * @param name the entry's path, e.g. {@code package/data/x}
         * @param size its size in bytes
         * @param content its bytes: reading past them gives end of stream, what is left unread is
         *     skipped, closing it does nothing
         * @return {@code false} to stop reading the archive
         * @throws IOException if reading fails
         */
        boolean visit(String name, long size, InputStream content) throws IOException;
    }

    /** Reads the content of one entry. */
    @FunctionalInterface
    public interface ContentReader {
        /**
         * @param content the entry's bytes, as in {@link EntryVisitor#visit}
         * @throws IOException if reading fails
         */
        void read(InputStream content) throws IOException;
    }

    /**
     * @param tgz the archive
     * @param visitor called for every regular file, in archive order, until it returns {@code false}
     * @throws IOException if the archive cannot be read, is truncated or has a malformed header (the
     *     message names the archive), or the visitor fails
     */
    public static void forEach(Path tgz, EntryVisitor visitor) throws IOException {
        try (InputStream in = new BufferedInputStream(new GZIPInputStream(Files.newInputStream(tgz), BUFFER), BUFFER)) {
            byte[] header = new byte[BLOCK];
            String longName = null;
            while (true) {
                int n = in.readNBytes(header, 0, BLOCK);
                if (n < BLOCK) {
                    throw new EOFException(n == 0 ? "no end-of-archive block" : "it ends inside a tar header");
                }
                if (isZero(header)) {
                    return;
                }
                verifyChecksum(header, tgz);
                String name = longName != null ? longName : name(header);
                longName = null;
                long size = octal(header, 124, 12, name, tgz);
                byte type = header[156];
                Entry entry = new Entry(in, size);
                boolean more = true;
                if (type == 'L') {
                    longName = trimNul(new String(entry.readAllBytes(), StandardCharsets.UTF_8));
                } else if (type == 'x') {
                    longName = paxPath(entry.readAllBytes());
                } else if (type == '0' || type == 0 || type == '7') {
                    more = visitor.visit(name, size, entry);
                }
                entry.skipRest();
                in.skipNBytes((BLOCK - size % BLOCK) % BLOCK);
                if (!more) {
                    return;
                }
            }
        } catch (EOFException e) {
            throw new IOException(tgz + " is truncated (" + (e.getMessage() == null ? "it ends inside an entry" : e.getMessage())
                    + ")", e);
        }
    }

    /**
     * Hands the content of the first regular file named {@code entry} to {@code reader}.
     *
     * @param tgz the archive
     * @param entry the path of one regular file in it
     * @param reader what reads its bytes
     * @throws IOException if the archive cannot be read or holds no such file
     */
    public static void readEntry(Path tgz, String entry, ContentReader reader) throws IOException {
        boolean[] found = {false};
        forEach(tgz, (name, size, content) -> {
            if (!name.equals(entry)) {
                return true;
            }
            reader.read(content);
            found[0] = true;
            return false;
        });
        if (!found[0]) {
            throw new IOException(tgz + " holds no " + entry);
        }
    }

    /**
     * Copies one regular file of the archive to {@code target} (replacing it).
     *
     * @param tgz the archive
     * @param entry the path of one regular file in it
     * @param target where its bytes are written
     * @throws IOException if the archive cannot be read or holds no such file
     */
    public static void copyEntry(Path tgz, String entry, Path target) throws IOException {
        readEntry(tgz, entry, content -> {
            try (OutputStream out = Files.newOutputStream(target)) {
                content.transferTo(out);
            }
        });
    }

    private static boolean isZero(byte[] block) {
        for (byte b : block) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    private static void verifyChecksum(byte[] header, Path tgz) throws IOException {
        long expected = octal(header, 148, 8, "a header", tgz);
        long unsigned = 0;
        long signed = 0;
        for (int i = 0; i < BLOCK; i++) {
            boolean field = i >= 148 && i < 156;
            unsigned += field ? ' ' : header[i] & 0xFF;
            signed += field ? ' ' : header[i];
        }
        if (expected != unsigned && expected != signed) {
            throw new IOException("tar header checksum mismatch in " + tgz + " (entry '" + name(header)
                    + "'): the archive is corrupt");
        }
    }

    private static String name(byte[] header) {
        String name = string(header, 0, 100);
        boolean ustar = string(header, 257, 5).equals("ustar");
        String prefix = ustar ? string(header, 345, 155) : "";
        return prefix.isEmpty() ? name : prefix + "/" + name;
    }

    /** The {@code path} record of a pax header ({@code "<length> path=<value>\n"}), or null. */
    private static String paxPath(byte[] records) {
        String text = new String(records, StandardCharsets.UTF_8);
        for (String line : text.split("\n")) {
            int space = line.indexOf(' ');
            if (space > 0 && line.startsWith("path=", space + 1)) {
                return line.substring(space + 1 + "path=".length());
            }
        }
        return null;
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

    private static long octal(byte[] header, int offset, int length, String entry, Path tgz) throws IOException {
        if ((header[offset] & 0x80) != 0) {
            throw new IOException("'" + entry + "' in " + tgz + " is over 8 GB (a base-256 size), which is not supported");
        }
        String text = string(header, offset, length).trim();
        if (text.isEmpty()) {
            return 0;
        }
        try {
            return Long.parseLong(text, 8);
        } catch (NumberFormatException e) {
            throw new IOException("malformed tar header of '" + entry + "' in " + tgz + ": '" + text
                    + "' is not an octal number", e);
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
                throw new EOFException("it ends inside an entry");
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
                throw new EOFException("it ends inside an entry");
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
