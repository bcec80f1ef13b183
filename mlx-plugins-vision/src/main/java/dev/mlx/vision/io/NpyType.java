package dev.mlx.vision.io;

import java.util.Locale;
import java.util.Optional;

/**
 * The NumPy element types {@link NpyReader} reads, by their {@code descr} kind and size
 * (e.g. {@code <f4}, {@code |u1}, {@code |b1}).
 */
public enum NpyType {
    BOOL('b', 1),
    INT8('i', 1),
    UINT8('u', 1),
    INT16('i', 2),
    UINT16('u', 2),
    INT32('i', 4),
    UINT32('u', 4),
    INT64('i', 8),
    FLOAT32('f', 4),
    FLOAT64('f', 8);

    private final char kind;
    private final int bytes;

    NpyType(char kind, int bytes) {
        this.kind = kind;
        this.bytes = bytes;
    }

    /** @return the size of one element in bytes */
    public int bytes() {
        return bytes;
    }

    /**
     * @param kind the {@code descr} kind letter ({@code b}, {@code i}, {@code u}, {@code f})
     * @param size the element size in bytes
     * @return the type, or empty if NumPy's type is not one of these
     */
    public static Optional<NpyType> of(char kind, int size) {
        for (NpyType t : values()) {
            if (t.kind == kind && t.bytes == size) {
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
