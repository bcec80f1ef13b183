package dev.mlx.text.corpus;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Reads the regular files of a gzip-compressed POSIX (ustar) tar archive, the format of npm
 * tarballs, in archive order, without extracting anything else.
 */
public final class TarGz {
    private static final int BLOCK = 512;

    private TarGz() {}

    /** Receives one regular file of the archive. */
    @FunctionalInterface
    public interface EntryVisitor {
        /**
         * @param name the entry's path ({@code prefix/name} of the ustar header)
         * @param size its size in bytes
         * @param content its bytes; reading past them gives end of stream, and what is left unread
         *     is skipped
         * @return {@code false} to stop reading the archive
         * @throws IOException if reading fails
         */
        boolean visit(String name, long size, InputStream content) throws IOException;
    }

    /**
     * @param tgz the archive
     * @param visitor called for every regular file, in archive order, until it returns {@code false}
     * @throws IOException if the archive cannot be read or a header is malformed
     */
    public static void forEach(Path tgz, EntryVisitor visitor) throws IOException {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(tgz), 1 << 16)) {
            byte[] header = new byte[BLOCK];
            while (in.readNBytes(header, 0, BLOCK) == BLOCK && header[0] != 0) {
                String name = field(header, 0, 100);
                String prefix = field(header, 345, 155);
                String full = prefix.isEmpty() ? name : prefix + "/" + name;
                long size;
                try {
                    size = Long.parseLong(field(header, 124, 12).strip(), 8);
                } catch (NumberFormatException e) {
                    throw new IOException("malformed tar header of '" + full + "' in " + tgz + ": " + e.getMessage(), e);
                }
                long padded = (size + BLOCK - 1) / BLOCK * BLOCK;
                byte type = header[156];
                if (type == '0' || type == 0) {
                    Bounded content = new Bounded(in, size);
                    boolean more = visitor.visit(full, size, content);
                    in.skipNBytes(content.left + padded - size);
                    if (!more) {
                        return;
                    }
                } else {
                    in.skipNBytes(padded);
                }
            }
        } catch (java.io.EOFException e) {
            throw new IOException(tgz + " ends inside an entry; the archive is truncated", e);
        }
    }

    /**
     * @param tgz the archive
     * @param entry the path of one regular file in it
     * @param target where its bytes are written
     * @throws IOException if the archive cannot be read or holds no such entry
     */
    public static void copyEntry(Path tgz, String entry, Path target) throws IOException {
        boolean[] found = {false};
        forEach(tgz, (name, size, content) -> {
            if (!name.equals(entry)) {
                return true;
            }
            try (OutputStream out = Files.newOutputStream(target)) {
                if (content.transferTo(out) != size) {
                    throw new IOException("the tarball " + tgz + " ends inside " + entry);
                }
            }
            found[0] = true;
            return false;
        });
        if (!found[0]) {
            throw new IOException(tgz + " holds no " + entry);
        }
    }

    private static String field(byte[] header, int from, int length) {
        return new String(header, from, length, StandardCharsets.US_ASCII).split("\0", 2)[0];
    }

    /** The next {@code left} bytes of a stream; closing it does not close the archive. */
    private static final class Bounded extends FilterInputStream {
        private long left;

        Bounded(InputStream in, long size) {
            super(in);
            this.left = size;
        }

        @Override
        public int read() throws IOException {
            if (left <= 0) {
                return -1;
            }
            int b = in.read();
            if (b < 0) {
                throw new java.io.EOFException();
            }
            left--;
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (left <= 0) {
                return -1;
            }
            int n = in.read(b, off, (int) Math.min(len, left));
            if (n < 0) {
                throw new java.io.EOFException();
            }
            left -= n;
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long s = in.skip(Math.min(n, left));
            left -= s;
            return s;
        }

        @Override
        public int available() throws IOException {
            return (int) Math.min(in.available(), left);
        }

        @Override
        public void close() {
            // the archive stays open for the next entry
        }

        @Override
        public boolean markSupported() {
            return false;
        }
    }
}
