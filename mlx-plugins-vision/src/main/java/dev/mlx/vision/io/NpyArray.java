package dev.mlx.vision.io;

import dev.mlx.api.error.MlxException;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * One n-dimensional array read from a NumPy {@code .npy} file (or one entry of an {@code .npz}),
 * in C (row-major) order, kept as its raw bytes in the file's byte order. Element {@code i} of the
 * flattened array is {@link #get(int)}; the element type is the file's {@code descr}
 * ({@link NpyType}).
 *
 * @param name where the array came from, for messages (e.g. {@code dermamnist_64.npz:train_images})
 * @param type the element type
 * @param shape the dimensions (empty for a scalar)
 * @param data the raw element bytes from position 0, {@code size() * type.bytes()} of them, in their
 *     little- or big-endian {@link ByteBuffer#order()}; read with absolute gets only
 */
public record NpyArray(String name, NpyType type, int[] shape, ByteBuffer data) {
    public NpyArray {
        shape = shape.clone();
        data = data.duplicate().order(data.order()).rewind();
        long expected = (long) count(shape) * type.bytes();
        if (data.remaining() != expected) {
            throw MlxException.userError(name + ": the header promises " + Arrays.toString(shape) + " " + type
                    + " values (" + expected + " bytes) but the file holds " + data.remaining()
                    + " bytes; the file is truncated or corrupt, save it again with numpy.save");
        }
    }

    /** @return the number of elements */
    public int size() {
        return count(shape);
    }

    @Override
    public int[] shape() {
        return shape.clone();
    }

    /** @return a read-only view of the element bytes, in their byte order */
    @Override
    public ByteBuffer data() {
        return data.asReadOnlyBuffer().order(data.order());
    }

    /** @return the element at flat index {@code i}, as a double */
    public double get(int i) {
        ByteBuffer b = data;
        int at = i * type.bytes();
        return switch (type) {
            case BOOL, UINT8 -> b.get(at) & 0xFF;
            case INT8 -> b.get(at);
            case UINT16 -> b.getShort(at) & 0xFFFF;
            case INT16 -> b.getShort(at);
            case UINT32 -> b.getInt(at) & 0xFFFFFFFFL;
            case INT32 -> b.getInt(at);
            case INT64 -> b.getLong(at);
            case FLOAT32 -> b.getFloat(at);
            case FLOAT64 -> b.getDouble(at);
        };
    }

    /**
     * Checks the array's rank and, where {@code expected[d] >= 0}, its dimension {@code d}.
     *
     * @param expected the expected dimensions, {@code -1} for any
     * @param what what the array should hold, for the message (e.g. "images [N, 64, 64, 3]")
     * @return this array
     * @throws MlxException (user error) naming the array, its shape and the expected one
     */
    public NpyArray requireShape(int[] expected, String what) {
        boolean ok = shape.length == expected.length;
        for (int d = 0; ok && d < expected.length; d++) {
            ok = expected[d] < 0 || expected[d] == shape[d];
        }
        if (!ok) {
            throw MlxException.userError(name + " has shape " + Arrays.toString(shape) + " but must hold " + what
                    + "; check that the file is the right one");
        }
        return this;
    }

    private static int count(int[] shape) {
        long n = 1;
        for (int d : shape) {
            if (d < 0) {
                throw MlxException.userError("negative dimension in shape " + Arrays.toString(shape));
            }
            n *= d;
        }
        if (n > Integer.MAX_VALUE) {
            throw MlxException.userError("an array of shape " + Arrays.toString(shape) + " is too large to load");
        }
        return (int) n;
    }

    @Override
    public String toString() {
        return "NpyArray[" + name + ", " + type + ", " + Arrays.toString(shape) + "]";
    }
}
