package dev.mlx.vision.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mlx.api.error.ErrorKind;
import dev.mlx.api.error.MlxException;
import dev.mlx.vision.fixtures.NpyFixtures;
import dev.mlx.vision.fixtures.NpyFixtures.Array;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The files the DJL-backed reader must still accept (format versions 2 and 3, big-endian and bool
 * arrays, positional {@code arr_0} entries, directory entries) and the malformed ones it must turn
 * into one user error naming the file and the fix, before DJL's decoder sees them or from its
 * exceptions.
 */
class NpyMalformedFileTest {
    @TempDir
    Path dir;

    /** An .npy file of format version {@code major}.{@code minor} with the given header length field. */
    private static byte[] npy(int major, int minor, String descr, String shape, byte[] data, long headerLengthField) {
        String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
        int prefix = major == 1 ? 10 : 12;
        String header = dict + " ".repeat((64 - (prefix + dict.length() + 1) % 64) % 64) + "\n";
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) major, (byte) minor});
        long length = headerLengthField >= 0 ? headerLengthField : header.length();
        ByteBuffer l = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) length);
        out.write(l.array(), 0, major == 1 ? 2 : 4);
        out.writeBytes(header.getBytes(StandardCharsets.UTF_8));
        out.writeBytes(data);
        return out.toByteArray();
    }

    private MlxException failure(String file, byte[] bytes) throws IOException {
        Path f = Files.write(dir.resolve(file), bytes);
        MlxException e = assertThrows(MlxException.class, () -> NpyReader.readNpy(f));
        assertEquals(ErrorKind.USER, e.kind());
        assertTrue(e.getMessage().contains(file), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        return e;
    }

    @Test
    void versionTwoAndThreeHeadersBigEndianIntsAndBoolsAreRead() throws IOException {
        byte[] be = ByteBuffer.allocate(8).order(ByteOrder.BIG_ENDIAN).putInt(-3).putInt(70000).array();
        for (int major : new int[] {1, 2, 3}) {
            NpyArray a = NpyReader.readNpy(Files.write(dir.resolve("v" + major + ".npy"),
                    npy(major, 0, ">i4", "(2,)", be, -1)));
            assertEquals(NpyType.INT32, a.type());
            assertEquals(-3, a.get(0));
            assertEquals(70000, a.get(1));
        }
        NpyArray bools = NpyReader.readNpy(Files.write(dir.resolve("b.npy"),
                npy(1, 0, "|b1", "(3,)", new byte[] {1, 0, 1}, -1)));
        assertEquals(NpyType.BOOL, bools.type());
        assertEquals(List.of(1.0, 0.0, 1.0), List.of(bools.get(0), bools.get(1), bools.get(2)));
        NpyArray scalar = NpyReader.readNpy(Files.write(dir.resolve("s.npy"), npy(1, 0, "<f8", "()",
                ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putDouble(0.1).array(), -1)));
        assertArrayEquals(new int[0], scalar.shape());
        assertEquals(0.1, scalar.get(0), 0.0);
        assertTrue(scalar.data().isReadOnly(), "the raw bytes are shared read-only");
    }

    @Test
    void npzEntriesKeepTheirNamesAndDirectoriesAreSkipped() throws IOException {
        Path f = dir.resolve("pos.npz");
        try (OutputStream os = Files.newOutputStream(f); ZipOutputStream zip = new ZipOutputStream(os)) {
            zip.putNextEntry(new ZipEntry("sub/"));
            zip.closeEntry();
            for (String name : new String[] {"arr_0.npy", "arr_1.npy"}) {
                zip.putNextEntry(new ZipEntry(name));
                zip.write(NpyFixtures.npy(Array.uint8(new int[] {2}, new byte[] {7, (byte) 250}), false));
                zip.closeEntry();
            }
        }
        Map<String, NpyArray> read = NpyReader.readNpz(f);
        assertEquals(List.of("arr_0", "arr_1"), List.copyOf(read.keySet()));
        assertEquals(250, read.get("arr_1").get(1));
    }

    @Test
    void headerTooLargeBadVersionAndUnsupportedDtypesAreOneUserError() throws IOException {
        assertTrue(failure("huge.npy", npy(2, 0, "<f4", "(1,)", new byte[4], 50_000_000)).getMessage()
                .contains("implausible .npy header length 50000000"));
        assertTrue(failure("v9.npy", npy(9, 0, "<f4", "(1,)", new byte[4], -1)).getMessage()
                .contains("format version 9 is not supported"));
        assertTrue(failure("v1_1.npy", npy(1, 1, "<f4", "(1,)", new byte[4], -1)).getMessage()
                .contains("format version 1.1 is not supported"));
        for (String descr : new String[] {"<f2", "<u8", "<c8", "|S2", "<U1"}) {
            MlxException e = failure("d.npy", npy(1, 0, descr, "(1,)", new byte[16], -1));
            assertTrue(e.getMessage().contains("dtype '" + descr + "' is not supported")
                    && e.getMessage().contains("astype"), e.getMessage());
        }
        assertTrue(failure("shape.npy", npy(1, 0, "<f4", "(x,)", new byte[4], -1)).getMessage()
                .contains("astype"));
    }

    @Test
    void truncationInTheHeaderTheDataOrADeflatedEntryIsReportedAsSuch() throws IOException {
        byte[] full = npy(1, 0, "<f4", "(4,)", new byte[16], -1);
        assertTrue(failure("h.npy", Arrays.copyOf(full, 20)).getMessage()
                .contains("ends after 10 of 118 expected header bytes; the file is truncated"));
        assertTrue(failure("m.npy", Arrays.copyOf(full, 5)).getMessage().contains("truncated"));
        assertTrue(failure("d.npy", Arrays.copyOf(full, full.length - 1)).getMessage()
                .contains("ends before the end of its data; the file is truncated"));

        Map<String, Array> arrays = new LinkedHashMap<>();
        arrays.put("x", Array.uint8(new int[] {4096}, new byte[4096]));
        byte[] npz = Files.readAllBytes(NpyFixtures.npz(dir.resolve("full.npz"), arrays, true));
        Path cut = Files.write(dir.resolve("cut.npz"), Arrays.copyOf(npz, npz.length / 2));
        MlxException e = assertThrows(MlxException.class, () -> NpyReader.readNpz(cut));
        assertTrue(e.getMessage().contains("cut.npz") && e.getMessage().contains("truncated"), e.getMessage());
    }
}
