package dev.mlx.engine.safetensors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mlx.api.error.ErrorKind;
import dev.mlx.api.error.MlxException;
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
 * The JSON header, now parsed by Jackson, is held to the same rules as by the hand-written parser
 * it replaced: strict JSON, duplicate keys rejected at every depth, integral non-negative shapes,
 * a bounded header length, and every failure one line naming the file and the problem.
 */
class SafetensorsHeaderTest {
    private static final String A = "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}";

    @TempDir
    Path dir;

    private static byte[] raw(byte[] header, int dataBytes) {
        return ByteBuffer.allocate(8 + header.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length)
                .put(header).array();
    }

    private String failure(String header, int dataBytes) throws IOException {
        return failure(raw(header.getBytes(StandardCharsets.UTF_8), dataBytes));
    }

    private String failure(byte[] bytes) throws IOException {
        Path file = Files.write(dir.resolve("bad.safetensors"), bytes);
        MlxException e = assertThrows(MlxException.class, () -> SafetensorsReader.read(file));
        assertEquals(ErrorKind.USER, e.kind());
        assertTrue(e.getMessage().startsWith(file + " is not a valid safetensors file: "), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        return e.getMessage();
    }

    @Test
    void duplicateKeysAreRejectedAtEveryDepth() throws IOException {
        assertTrue(failure("{" + A + "," + A + "}", 4).contains("duplicate key \"a\""));
        String nested = failure("{\"a\":{\"dtype\":\"F32\",\"dtype\":\"F16\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4);
        assertTrue(nested.contains("duplicate key \"dtype\""), nested);
        assertTrue(failure("{\"__metadata__\":{\"k\":\"1\",\"k\":\"2\"}," + A + "}", 4).contains("duplicate key \"k\""));
    }

    @Test
    void onlyStrictJsonIsAccepted() throws IOException {
        for (String header : new String[] {"{" + A + "} x", "{" + A + "}{}", "{'a':1}", "{" + A + ",}",
                "{\"a\":NaN}", "{/* c */" + A + "}", "{\"a\":\"\u0001\"}", "{\"a\":tru}", "   "}) {
            String message = failure(header, 4);
            assertTrue(message.contains("its header is not valid JSON ("), header + " -> " + message);
        }
        assertTrue(failure("{\"a\":" + "[".repeat(70) + "]".repeat(70) + "}", 0).contains("not valid JSON"));
        assertTrue(failure("{\"a\":{\"dtype\":\"F32\"", 0).contains("unexpected end of the header at character"));
        assertTrue(failure(raw(new byte[] {'{', '"', (byte) 0xC3, '"', ':', '1', '}', ' '}, 0))
                .contains("not valid UTF-8"));
    }

    @Test
    void shapesAndOffsetsMustBeNonNegativeIntegers() throws IOException {
        for (String shape : new String[] {"[1.0]", "[1e0]", "[\"1\"]", "[null]", "[99999999999999999999]"}) {
            String message = failure("{\"a\":{\"dtype\":\"F32\",\"shape\":" + shape + ",\"data_offsets\":[0,4]}}", 4);
            assertTrue(message.contains("tensor a has shape entry") && message.contains("non-negative integer"),
                    shape + " -> " + message);
        }
        assertTrue(failure("{\"a\":{\"dtype\":\"F32\",\"shape\":1,\"data_offsets\":[0,4]}}", 4)
                .contains("tensor a has no shape array"));
        assertTrue(failure("{\"a\":{\"shape\":[1],\"data_offsets\":[0,4]}}", 4).contains("dtype null"));
        assertTrue(failure("{\"a\":[1]}", 4).contains("tensor a is not described by a JSON object"));
    }

    @Test
    void aHeaderLargerThanTheLimitOrTheFileIsRejectedBeforeItIsRead() throws IOException {
        byte[] huge = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN).putLong(200L << 20).array();
        assertTrue(failure(huge).contains("header length 209715200 does not fit the file of 64 bytes"));
        byte[] negative = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN).putLong(-1).array();
        assertTrue(failure(negative).contains("header length 18446744073709551615 does not fit"));
    }

    @Test
    void metadataIsSkippedAndEscapedNamesAreDecoded() throws IOException {
        String header = "{\"__metadata__\":{\"format\":\"pt\"},\"l\\u00e9.w\\/x\":{\"dtype\":\"F32\",\"shape\":[],"
                + "\"data_offsets\":[0,4]}}";
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        byte[] bytes = ByteBuffer.allocate(8 + h.length + 4).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length).put(h)
                .putFloat(2.5f).array();
        Map<String, SafetensorsTensor> t = SafetensorsReader.read(Files.write(dir.resolve("ok.safetensors"), bytes));
        assertEquals(List.of("l\u00e9.w/x"), List.copyOf(t.keySet()));
        assertArrayEquals(new float[] {2.5f}, t.get("l\u00e9.w/x").values());
    }
}
