package dev.mlx.engine.testkit;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes safetensors files for tests, byte by byte and independently of the reader under test:
 * the 8-byte little-endian header length, a JSON header (padded with spaces to a multiple of 8
 * bytes, as the reference library does) and the little-endian data in the order given.
 */
public final class SafetensorsFixture {
    private final List<Tensor> tensors = new ArrayList<>();
    private String metadata = "";

    /** One tensor to write: name, dtype ({@code F32, F64, F16, BF16, I64}), shape and values. */
    public record Tensor(String name, String dtype, long[] shape, double[] values) {}

    /** Adds a tensor; F16 and BF16 values must be exactly representable in them. */
    public SafetensorsFixture add(String name, String dtype, long[] shape, double... values) {
        tensors.add(new Tensor(name, dtype, shape, values));
        return this;
    }

    /** Adds a {@code __metadata__} entry, e.g. {@code "format": "pt"}. */
    public SafetensorsFixture metadata(String key, String value) {
        metadata = (metadata.isEmpty() ? "" : metadata + ",") + "\"" + key + "\":\"" + value + "\"";
        return this;
    }

    /** @return the file's bytes */
    public byte[] bytes() {
        StringBuilder json = new StringBuilder("{");
        if (!metadata.isEmpty()) {
            json.append("\"__metadata__\":{").append(metadata).append("},");
        }
        List<byte[]> blobs = new ArrayList<>();
        long offset = 0;
        for (int t = 0; t < tensors.size(); t++) {
            Tensor tensor = tensors.get(t);
            byte[] blob = encode(tensor);
            blobs.add(blob);
            json.append(t == 0 ? "" : ",").append('"').append(tensor.name).append("\":{\"dtype\":\"")
                    .append(tensor.dtype).append("\",\"shape\":[");
            for (int i = 0; i < tensor.shape.length; i++) {
                json.append(i == 0 ? "" : ",").append(tensor.shape[i]);
            }
            json.append("],\"data_offsets\":[").append(offset).append(',').append(offset + blob.length).append("]}");
            offset += blob.length;
        }
        json.append('}');
        while (json.length() % 8 != 0) {
            json.append(' ');
        }
        byte[] header = json.toString().getBytes(StandardCharsets.UTF_8);
        ByteBuffer out = ByteBuffer.allocate(Math.toIntExact(8 + header.length + offset)).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(header.length).put(header);
        blobs.forEach(out::put);
        return out.array();
    }

    /** Writes the file. */
    public Path write(Path file) throws IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write(bytes());
        }
        return file;
    }

    private static byte[] encode(Tensor t) {
        int width = switch (t.dtype) {
            case "F32" -> 4;
            case "F64", "I64" -> 8;
            case "F16", "BF16" -> 2;
            default -> throw new IllegalArgumentException(t.dtype);
        };
        ByteBuffer b = ByteBuffer.allocate(t.values.length * width).order(ByteOrder.LITTLE_ENDIAN);
        for (double v : t.values) {
            switch (t.dtype) {
                case "F32" -> b.putFloat((float) v);
                case "F64" -> b.putDouble(v);
                case "I64" -> b.putLong((long) v);
                case "BF16" -> b.putShort((short) (Float.floatToIntBits((float) v) >>> 16));
                default -> b.putShort(half(v));
            }
        }
        return b.array();
    }

    /** binary16 bits of a value exactly representable in it (normal or subnormal, or zero). */
    private static short half(double v) {
        int sign = v < 0 || (v == 0 && 1 / v < 0) ? 0x8000 : 0;
        double a = Math.abs(v);
        if (a == 0) {
            return (short) sign;
        }
        if (a < 0x1p-14) {
            return (short) (sign | (int) Math.round(a / 0x1p-24));
        }
        int exponent = Math.getExponent(a);
        int fraction = (int) Math.round((a / Math.scalb(1.0, exponent) - 1) * 1024);
        return (short) (sign | ((exponent + 15) << 10) | fraction);
    }
}
