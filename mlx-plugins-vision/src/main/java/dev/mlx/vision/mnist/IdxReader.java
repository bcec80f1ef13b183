package dev.mlx.vision.mnist;

import dev.mlx.api.error.MlxException;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads the IDX format of MNIST (LeCun et al.): a big-endian magic number {@code 0x000008DD}
 * (type {@code 08} = unsigned byte, {@code DD} = number of dimensions), one big-endian
 * {@code int32} per dimension, then the data. Images are {@code 0x00000803} ({@code [n, rows,
 * cols]}), labels {@code 0x00000801} ({@code [n]}). A file whose name ends in {@code .gz} is
 * read through gzip.
 *
 * <p>Every malformed file (missing, wrong magic, truncated, trailing bytes, image and label
 * counts that disagree) is a {@linkplain MlxException#userError user error} naming the file and
 * saying what to do.
 */
public final class IdxReader {
    /** Magic number of an IDX file of unsigned-byte images {@code [n, rows, cols]}. */
    public static final int IMAGES_MAGIC = 0x00000803;
    /** Magic number of an IDX file of unsigned-byte labels {@code [n]}. */
    public static final int LABELS_MAGIC = 0x00000801;

    private static final int GZIP_MAGIC_PREFIX = 0x1f8b0800;
    private static final long MAX_BYTES = Integer.MAX_VALUE - 8L;

    private IdxReader() {}

    /**
     * Reads an images file and its labels file.
     *
     * @param images the {@code 0x00000803} file
     * @param labels the {@code 0x00000801} file
     * @return the examples
     * @throws MlxException (user error) if either file is malformed or their counts differ
     */
    public static MnistSplit readSplit(Path images, Path labels) {
        Images img = readImages(images);
        byte[] lab = readLabels(labels);
        if (img.count() != lab.length) {
            throw MlxException.userError(images + " holds " + img.count() + " images but " + labels + " holds "
                    + lab.length + " labels; use the labels file that belongs to these images");
        }
        return new MnistSplit(img.count(), img.rows(), img.cols(), img.pixels(), lab);
    }

    /**
     * Reads an IDX images file.
     *
     * @param file the file, gzip-compressed if its name ends in {@code .gz}
     * @return the images
     * @throws MlxException (user error) if the file is missing or malformed
     */
    public static Images readImages(Path file) {
        try (InputStream in = open(file)) {
            int[] dims = readHeader(in, file, IMAGES_MAGIC, "images");
            byte[] pixels = readBody(in, file, (long) dims[0] * dims[1] * dims[2],
                    dims[0] + " images of " + dims[1] + "x" + dims[2] + " pixels");
            return new Images(dims[0], dims[1], dims[2], pixels);
        } catch (IOException e) {
            throw ioError(file, e);
        }
    }

    /**
     * Reads an IDX labels file.
     *
     * @param file the file, gzip-compressed if its name ends in {@code .gz}
     * @return one unsigned byte per label
     * @throws MlxException (user error) if the file is missing or malformed
     */
    public static byte[] readLabels(Path file) {
        try (InputStream in = open(file)) {
            int[] dims = readHeader(in, file, LABELS_MAGIC, "labels");
            return readBody(in, file, dims[0], dims[0] + " labels");
        } catch (IOException e) {
            throw ioError(file, e);
        }
    }

    private static InputStream open(Path file) throws IOException {
        InputStream raw = Files.newInputStream(file);
        try {
            return isGzip(file) ? new GZIPInputStream(raw, 1 << 16) : new BufferedInputStream(raw, 1 << 16);
        } catch (IOException e) {
            raw.close();
            throw e;
        }
    }

    private static boolean isGzip(Path file) {
        return file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".gz");
    }

    private static int[] readHeader(InputStream in, Path file, int expectedMagic, String kind) throws IOException {
        int magic = readInt(in, file);
        if (magic != expectedMagic) {
            throw MlxException.userError(file + " is not an IDX " + kind + " file: its magic number is "
                    + hex(magic) + ", expected " + hex(expectedMagic) + hint(file, magic));
        }
        int[] dims = new int[magic & 0xFF];
        for (int d = 0; d < dims.length; d++) {
            dims[d] = readInt(in, file);
            if (dims[d] < 0 || (d > 0 && dims[d] == 0)) {
                throw MlxException.userError(file + " declares an invalid size " + dims[d] + " for dimension " + d
                        + "; the file is corrupt, download or extract it again");
            }
        }
        return dims;
    }

    private static String hint(Path file, int magic) {
        if ((magic & 0xffffff00) == GZIP_MAGIC_PREFIX && !isGzip(file)) {
            return "; the file looks gzip-compressed: gunzip it or give it a name ending in .gz";
        }
        if (magic == IMAGES_MAGIC || magic == LABELS_MAGIC) {
            return "; the images and labels files seem swapped, check the file names";
        }
        return "; the file is not an MNIST IDX file or is corrupt, download or extract it again";
    }

    private static int readInt(InputStream in, Path file) throws IOException {
        byte[] b = in.readNBytes(4);
        if (b.length < 4) {
            throw MlxException.userError(file + " is truncated: it ends inside the IDX header; "
                    + "download or extract it again");
        }
        return ByteBuffer.wrap(b).getInt();
    }

    private static byte[] readBody(InputStream in, Path file, long size, String what) throws IOException {
        if (size > MAX_BYTES) {
            throw MlxException.userError(file + " declares " + what + " (" + size
                    + " bytes), more than mlx can hold in one array; the file is corrupt or not MNIST");
        }
        byte[] data = new byte[(int) size];
        int read = in.readNBytes(data, 0, data.length);
        if (read < data.length) {
            throw MlxException.userError(file + " is truncated: its header declares " + what + " (" + size
                    + " bytes of data) but the data ends after " + read + " bytes; download or extract it again");
        }
        if (in.read() != -1) {
            throw MlxException.userError(file + " has bytes after the " + what + " its header declares; "
                    + "the file is corrupt, download or extract it again");
        }
        return data;
    }

    private static MlxException ioError(Path file, IOException e) {
        if (e instanceof NoSuchFileException) {
            return MlxException.userError("IDX file " + file + " does not exist; check the path or put the file there", e);
        }
        if (e instanceof ZipException || (e instanceof EOFException && isGzip(file))) {
            return MlxException.userError(file + " is truncated or not a valid gzip file (" + e.getMessage()
                    + "); download it again, or drop the .gz suffix if it is not compressed", e);
        }
        return MlxException.userError("cannot read IDX file " + file + ": " + e + "; check that it is a readable file", e);
    }

    private static String hex(int value) {
        return String.format(Locale.ROOT, "0x%08X", value);
    }

    /**
     * The content of an IDX images file.
     *
     * @param count the number of images
     * @param rows image height
     * @param cols image width
     * @param pixels {@code count * rows * cols} unsigned bytes, row-major
     */
    public record Images(int count, int rows, int cols, byte[] pixels) {}
}
