package dev.mlx.vision.io;

import dev.mlx.api.error.MlxException;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipInputStream;

/**
 * Reads NumPy's array files: {@code .npy} (format versions 1.0, 2.0 and 3.0) and {@code .npz}
 * (a zip of {@code .npy} files, stored or deflated, as {@code numpy.savez} and
 * {@code numpy.savez_compressed} write them).
 *
 * <p>An {@code .npy} file is the magic {@code \x93NUMPY}, a major and minor version byte, a
 * little-endian header length (2 bytes in version 1, 4 bytes in versions 2 and 3), then an ASCII
 * (UTF-8 in version 3) Python dict literal with the keys {@code descr}, {@code fortran_order} and
 * {@code shape}, then the raw element bytes. Only C-order arrays of the types in {@link NpyType}
 * are read; a Fortran-order array, an object or structured dtype, a bad magic or a truncated file
 * is a user error naming the file and saying how to re-save it.
 */
public final class NpyReader {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([<>|=])([a-zA-Z])(\\d+)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    private NpyReader() {}

    /**
     * Reads one {@code .npy} file.
     *
     * @param file the file
     * @return the array, named after the file
     * @throws MlxException (user error) if the file is missing, unreadable or malformed
     */
    public static NpyArray readNpy(Path file) {
        requireFile(file);
        try (InputStream in = Files.newInputStream(file)) {
            return read(file.toString(), in);
        } catch (IOException e) {
            throw unreadable(file.toString(), e);
        }
    }

    /**
     * Reads every array of an {@code .npz} file.
     *
     * @param file the file
     * @return the arrays by name (the entry name without {@code .npy}), in file order
     * @throws MlxException (user error) if the file is missing, not a zip, or holds a malformed entry
     */
    public static Map<String, NpyArray> readNpz(Path file) {
        requireFile(file);
        Map<String, NpyArray> arrays = new LinkedHashMap<>();
        try (ZipInputStream zip = new ZipInputStream(Files.newInputStream(file))) {
            for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
                if (e.isDirectory()) {
                    continue;
                }
                String key = e.getName().endsWith(".npy") ? e.getName().substring(0, e.getName().length() - 4)
                        : e.getName();
                arrays.put(key, read(file + ":" + key, zip));
            }
        } catch (ZipException e) {
            throw MlxException.userError(file + " is not a valid .npz (zip) file (" + e.getMessage()
                    + "); save it again with numpy.savez or numpy.savez_compressed", e);
        } catch (IOException e) {
            throw unreadable(file.toString(), e);
        }
        if (arrays.isEmpty()) {
            throw MlxException.userError(file + " holds no arrays; it is not a valid .npz file "
                    + "(save one with numpy.savez)");
        }
        return arrays;
    }

    /**
     * Reads one array from a stream positioned at an {@code .npy} header.
     *
     * @param name a name for messages
     * @param in the stream; read up to the end of the array's data
     * @return the array
     * @throws IOException if the stream fails
     */
    public static NpyArray read(String name, InputStream in) throws IOException {
        byte[] magic = readFully(name, in, MAGIC.length + 2);
        for (int i = 0; i < MAGIC.length; i++) {
            if (magic[i] != MAGIC[i]) {
                throw MlxException.userError(name + " is not a NumPy .npy array (bad magic bytes); save it with "
                        + "numpy.save");
            }
        }
        int major = magic[6];
        int headerLength;
        if (major == 1) {
            byte[] len = readFully(name, in, 2);
            headerLength = (len[0] & 0xFF) | (len[1] & 0xFF) << 8;
        } else if (major == 2 || major == 3) {
            byte[] len = readFully(name, in, 4);
            long l = (len[0] & 0xFFL) | (len[1] & 0xFFL) << 8 | (len[2] & 0xFFL) << 16 | (len[3] & 0xFFL) << 24;
            if (l > 1 << 20) {
                throw MlxException.userError(name + ": implausible .npy header length " + l + "; the file is corrupt");
            }
            headerLength = (int) l;
        } else {
            throw MlxException.userError(name + ": .npy format version " + major + " is not supported (1, 2 or 3 "
                    + "are); save it with numpy.save");
        }
        String header = new String(readFully(name, in, headerLength),
                major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        Matcher descr = DESCR.matcher(header);
        if (!descr.find()) {
            throw MlxException.userError(name + ": unsupported dtype in the .npy header " + header.trim()
                    + "; only plain bool, integer and float arrays are read (convert with arr.astype(numpy.float32))");
        }
        char kind = descr.group(2).charAt(0);
        int size = Integer.parseInt(descr.group(3));
        NpyType type = NpyType.of(kind, size).orElseThrow(() -> MlxException.userError(name + ": dtype '"
                + descr.group(1) + descr.group(2) + descr.group(3) + "' is not supported; convert the array with "
                + "arr.astype(numpy.float32) or numpy.uint8 and save it again"));
        ByteOrder order = descr.group(1).equals(">") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        Matcher fortran = FORTRAN.matcher(header);
        if (fortran.find() && fortran.group(1).equals("True")) {
            throw MlxException.userError(name + " is stored in Fortran order; save it in C order with "
                    + "numpy.save(file, numpy.ascontiguousarray(arr))");
        }
        Matcher shapeMatch = SHAPE.matcher(header);
        if (!shapeMatch.find()) {
            throw MlxException.userError(name + ": the .npy header has no shape: " + header.trim());
        }
        int[] shape = parseShape(name, shapeMatch.group(1));
        long count = 1;
        for (int d : shape) {
            count *= d;
        }
        long bytes = count * type.bytes();
        if (bytes > Integer.MAX_VALUE - 8) {
            throw MlxException.userError(name + " holds " + bytes + " bytes, more than one array can hold here; "
                    + "split the data into smaller files");
        }
        return new NpyArray(name, type, shape, readFully(name, in, (int) bytes), order);
    }

    private static int[] parseShape(String name, String text) {
        String[] parts = text.split(",");
        int n = 0;
        int[] dims = new int[parts.length];
        for (String p : parts) {
            String t = p.trim();
            if (t.isEmpty()) {
                continue;
            }
            if (t.endsWith("L")) {
                t = t.substring(0, t.length() - 1);
            }
            try {
                dims[n++] = Integer.parseInt(t);
            } catch (NumberFormatException e) {
                throw MlxException.userError(name + ": bad dimension '" + t + "' in the .npy shape (" + text + ")");
            }
        }
        return java.util.Arrays.copyOf(dims, n);
    }

    private static byte[] readFully(String name, InputStream in, int n) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.min(n, 1 << 24));
        byte[] buf = new byte[1 << 16];
        int left = n;
        while (left > 0) {
            int r = in.read(buf, 0, Math.min(buf.length, left));
            if (r < 0) {
                throw MlxException.userError(name + " ends after " + (n - left) + " of " + n + " expected bytes; the "
                        + "file is truncated, copy or save it again", new EOFException());
            }
            out.write(buf, 0, r);
            left -= r;
        }
        return out.toByteArray();
    }

    private static void requireFile(Path file) {
        if (!Files.isRegularFile(file)) {
            throw MlxException.userError("file " + file + " does not exist");
        }
    }

    private static MlxException unreadable(String name, IOException e) {
        return MlxException.userError("cannot read " + name + ": " + e.getMessage()
                + "; check that the file exists and is readable", e);
    }
}
