package dev.mlx.vision.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mlx.api.error.ErrorKind;
import dev.mlx.api.error.MlxException;
import dev.mlx.vision.fixtures.NpyFixtures;
import dev.mlx.vision.fixtures.NpyFixtures.Array;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpyReaderTest {
    @TempDir
    Path dir;

    @Test
    void readsUint8Int64AndBothEndianFloats() throws IOException {
        Path u8 = Files.write(dir.resolve("a.npy"), NpyFixtures.npy(Array.uint8(new int[] {2, 3},
                new byte[] {0, 1, 2, (byte) 200, (byte) 254, (byte) 255}), false));
        NpyArray a = NpyReader.readNpy(u8);
        assertEquals(NpyType.UINT8, a.type());
        assertArrayEquals(new int[] {2, 3}, a.shape());
        assertEquals(200, a.get(3));
        assertEquals(255, a.get(5));

        for (ByteOrder order : new ByteOrder[] {ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN}) {
            Path f = Files.write(dir.resolve("f" + order + ".npy"), NpyFixtures.npy(
                    Array.float32(new int[] {3}, new float[] {1.5f, -2.25f, 1e-3f}, order), false));
            NpyArray fa = NpyReader.readNpy(f);
            assertEquals(-2.25, fa.get(1), 0.0, order.toString());
            assertEquals(1e-3f, (float) fa.get(2), 0.0f);
        }

        Path i8 = Files.write(dir.resolve("l.npy"), NpyFixtures.npy(Array.int64(new int[] {2, 1}, new long[] {5, -7}),
                false));
        assertEquals(-7, NpyReader.readNpy(i8).get(1));
    }

    @Test
    void readsEveryEntryOfAnNpzStoredOrDeflated() throws IOException {
        for (boolean deflate : new boolean[] {false, true}) {
            Map<String, Array> arrays = new LinkedHashMap<>();
            arrays.put("x", Array.uint8(new int[] {4}, new byte[] {9, 8, 7, 6}));
            arrays.put("y", Array.int64(new int[] {4, 1}, new long[] {1, 2, 3, 4}));
            Path f = NpyFixtures.npz(dir.resolve("d" + deflate + ".npz"), arrays, deflate);
            Map<String, NpyArray> read = NpyReader.readNpz(f);
            assertEquals(java.util.List.of("x", "y"), java.util.List.copyOf(read.keySet()));
            assertEquals(7, read.get("x").get(2));
            assertArrayEquals(new int[] {4, 1}, read.get("y").shape());
            assertEquals(4, read.get("y").get(3));
        }
    }

    @Test
    void truncatedFileIsAUserErrorSayingSo() throws IOException {
        byte[] full = NpyFixtures.npy(Array.uint8(new int[] {10}, new byte[10]), false);
        Path f = Files.write(dir.resolve("t.npy"), Arrays.copyOf(full, full.length - 3));
        MlxException e = assertThrows(MlxException.class, () -> NpyReader.readNpy(f));
        assertEquals(ErrorKind.USER, e.kind());
        assertTrue(e.getMessage().contains("truncated") && e.getMessage().contains("t.npy"), e.getMessage());
    }

    @Test
    void badMagicFortranOrderAndObjectDtypeAreRejectedWithTheFix() throws IOException {
        Path junk = Files.writeString(dir.resolve("j.npy"), "not an array at all");
        assertTrue(assertThrows(MlxException.class, () -> NpyReader.readNpy(junk)).getMessage().contains("magic"));

        Path fortran = Files.write(dir.resolve("fo.npy"),
                NpyFixtures.npy(Array.uint8(new int[] {2, 2}, new byte[4]), true));
        assertTrue(assertThrows(MlxException.class, () -> NpyReader.readNpy(fortran)).getMessage()
                .contains("ascontiguousarray"));

        Path object = Files.write(dir.resolve("o.npy"), NpyFixtures.npy(new Array("|O", new int[] {1}, new byte[8]),
                false));
        assertTrue(assertThrows(MlxException.class, () -> NpyReader.readNpy(object)).getMessage().contains("astype"));

        Path notZip = Files.writeString(dir.resolve("n.npz"), "plain text");
        MlxException e = assertThrows(MlxException.class, () -> NpyReader.readNpz(notZip));
        assertTrue(e.getMessage().contains("n.npz"), e.getMessage());

        MlxException missing = assertThrows(MlxException.class, () -> NpyReader.readNpz(dir.resolve("none.npz")));
        assertTrue(missing.getMessage().contains("does not exist"));
    }

    @Test
    void requireShapeNamesTheArrayAndBothShapes() throws IOException {
        Path f = Files.write(dir.resolve("s.npy"), NpyFixtures.npy(Array.uint8(new int[] {2, 3}, new byte[6]), false));
        NpyArray a = NpyReader.readNpy(f);
        a.requireShape(new int[] {-1, 3}, "rows of 3");
        MlxException e = assertThrows(MlxException.class, () -> a.requireShape(new int[] {-1, 4}, "rows of 4"));
        assertTrue(e.getMessage().contains("[2, 3]") && e.getMessage().contains("rows of 4"), e.getMessage());
    }
}
