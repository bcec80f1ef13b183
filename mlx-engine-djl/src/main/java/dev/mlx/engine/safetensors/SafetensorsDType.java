package dev.mlx.engine.safetensors;

import java.nio.ByteBuffer;

/**
 * The element types mlx reads from safetensors files, by their header names, with their
 * little-endian decoding to float32: {@code F32}, {@code F64} (rounded), {@code F16} (IEEE 754
 * half precision, exact), {@code BF16} (the upper 16 bits of a float32, exact) and {@code I64}
 * (for counters such as {@code num_batches_tracked}).
 */
public enum SafetensorsDType {
    F32(4),
    F64(8),
    F16(2),
    BF16(2),
    I64(8);

    private final int bytes;

    SafetensorsDType(int bytes) {
        this.bytes = bytes;
    }

    /** @return the size of one element in bytes */
    public int bytes() {
        return bytes;
    }

    /**
     * Reads one element at the buffer's position (little-endian order must be set) and advances it.
     *
     * @param data the buffer
     * @return the element as float32
     */
    float read(ByteBuffer data) {
        return switch (this) {
            case F32 -> data.getFloat();
            case F64 -> (float) data.getDouble();
            case F16 -> halfToFloat(data.getShort());
            case BF16 -> Float.intBitsToFloat((data.getShort() & 0xFFFF) << 16);
            case I64 -> (float) data.getLong();
        };
    }

    /**
     * IEEE 754 binary16 to float32: sign, 5-bit exponent (bias 15), 10-bit fraction; subnormals, infinities, NaN.
     *
     * @param half the 16 bits
     * @return the same number as float32 (exact)
     */
    public static float halfToFloat(short half) {
        int bits = half & 0xFFFF;
        int sign = (bits >>> 15) != 0 ? -1 : 1;
        int exponent = (bits >>> 10) & 0x1F;
        int fraction = bits & 0x3FF;
        if (exponent == 0) {
            return sign * fraction * 0x1p-24f; // zero or subnormal: fraction * 2^-14 / 2^10
        }
        if (exponent == 0x1F) {
            return fraction == 0 ? sign * Float.POSITIVE_INFINITY : Float.NaN;
        }
        return sign * (1 + fraction / 1024f) * (float) Math.scalb(1.0, exponent - 15);
    }
}
