package dev.mlx.vision.io;

import ai.djl.ndarray.types.DataType;
import java.util.Locale;
import java.util.Optional;

/**
 * The NumPy element types {@link NpyReader} reads (e.g. {@code <f4}, {@code |u1}, {@code |b1}), by
 * the DJL {@link DataType} its decoder gives them.
 */
public enum NpyType {
    BOOL(DataType.BOOLEAN),
    INT8(DataType.INT8),
    UINT8(DataType.UINT8),
    INT16(DataType.INT16),
    UINT16(DataType.UINT16),
    INT32(DataType.INT32),
    UINT32(DataType.UINT32),
    INT64(DataType.INT64),
    FLOAT32(DataType.FLOAT32),
    FLOAT64(DataType.FLOAT64);

    private final DataType dataType;

    NpyType(DataType dataType) {
        this.dataType = dataType;
    }

    /** @return the size of one element in bytes */
    public int bytes() {
        return dataType.getNumOfBytes();
    }

    /**
     * @param dataType the element type DJL decoded
     * @return the type, or empty if it is not one of these (float16, uint64, strings)
     */
    public static Optional<NpyType> of(DataType dataType) {
        for (NpyType t : values()) {
            if (t.dataType == dataType) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
