package dev.mlx.engine.safetensors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mlx.api.error.MlxException;
import dev.mlx.engine.testkit.SafetensorsFixture;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The safetensors reader decodes every supported dtype (F32, F64, F16 with subnormals and
 * infinities, BF16, I64 scalars) from files the test writes byte by byte, and turns every kind of
 * malformed file into one user error naming the file, the tensor and the problem.
 */
class SafetensorsReaderTest {
    @TempDir
    Path dir;

    @Test
    void decodesEveryDtypeShapeAndValue() throws IOException {
        Path file = new SafetensorsFixture().metadata("format", "pt")
                .add("conv.weight", "F32", new long[] {2, 1, 1, 2}, 0.1, -2.5, 3e-8, 7)
                .add("fc.bias", "F64", new long[] {3}, 1.0 / 3, -1e300, 0)
                .add("half", "F16", new long[] {5}, 1.5, -0.0078125, 65504, 0x1p-24, -0x1p-20)
                .add("brain", "BF16", new long[] {2}, -3.0, 0.15625)
                .add("bn.num_batches_tracked", "I64", new long[0], 12345)
                .write(dir.resolve("w.safetensors"));
        Map<String, SafetensorsTensor> t = SafetensorsReader.read(file);
        assertEquals(List.of("conv.weight", "fc.bias", "half", "brain", "bn.num_batches_tracked"),
                List.copyOf(t.keySet()), "tensors in data order");
        assertArrayEquals(new long[] {2, 1, 1, 2}, t.get("conv.weight").shape());
        assertArrayEquals(new float[] {0.1f, -2.5f, 3e-8f, 7f}, t.get("conv.weight").values());
        assertEquals(SafetensorsDType.F64, t.get("fc.bias").dtype());
        assertArrayEquals(new float[] {1f / 3, Float.NEGATIVE_INFINITY, 0f}, t.get("fc.bias").values());
        assertArrayEquals(new float[] {1.5f, -0.0078125f, 65504f, 0x1p-24f, -0x1p-20f}, t.get("half").values());
        assertArrayEquals(new float[] {-3f, 0.15625f}, t.get("brain").values());
        assertArrayEquals(new long[0], t.get("bn.num_batches_tracked").shape());
        assertArrayEquals(new float[] {12345f}, t.get("bn.num_batches_tracked").values());
    }

    @Test
    void halfPrecisionSpecialValues() {
        assertEquals(Float.POSITIVE_INFINITY, SafetensorsDType.halfToFloat((short) 0x7C00));
        assertEquals(Float.NEGATIVE_INFINITY, SafetensorsDType.halfToFloat((short) 0xFC00));
        assertTrue(Float.isNaN(SafetensorsDType.halfToFloat((short) 0x7E00)));
        assertEquals(-2f, SafetensorsDType.halfToFloat((short) 0xC000));
        assertEquals(0x1p-14f, SafetensorsDType.halfToFloat((short) 0x0400), "smallest normal");
        assertEquals(0x3FFp-24f, SafetensorsDType.halfToFloat((short) 0x03FF), "largest subnormal");
    }

    private MlxException failure(byte[] bytes) throws IOException {
        Path file = Files.write(dir.resolve("bad.safetensors"), bytes);
        return assertThrows(MlxException.class, () -> SafetensorsReader.read(file));
    }

    private static byte[] raw(String header, int dataBytes) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length).put(h)
                .array();
    }

    private void assertFails(byte[] bytes, String... fragments) throws IOException {
        MlxException e = failure(bytes);
        assertTrue(e.getMessage().contains("bad.safetensors"), e.getMessage());
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "'" + f + "' in: " + e.getMessage());
        }
    }

    @Test
    void malformedFilesAreOneUserErrorNamingTheProblem() throws IOException {
        MlxException missing = assertThrows(MlxException.class,
                () -> SafetensorsReader.read(dir.resolve("absent.safetensors")));
        assertTrue(missing.getMessage().contains("does not exist"), missing.getMessage());
        assertFails(new byte[] {1, 2, 3}, "fewer than the 8-byte header length");
        assertFails(ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(1000).array(),
                "header length 1000 does not fit");
        assertFails(raw("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}", 4), "not valid JSON");
        assertFails(raw("[1,2]", 0), "not a JSON object");
        assertFails(raw("{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]}}", 1), "tensor a",
                "dtype U8");
        assertFails(raw("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,4]}}", 4), "tensor a",
                "needs 8 bytes");
        assertFails(raw("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 4), "tensor a",
                "truncated");
        assertFails(raw("{\"a\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", 8), "tensor a",
                "non-negative");
        assertFails(raw("{\"a\":{\"dtype\":\"F32\",\"shape\":[2]}}", 8), "tensor a", "data_offsets");
        assertFails(raw("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8), "overlaps");
        assertFails(raw("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8), "duplicate key");
    }
}
