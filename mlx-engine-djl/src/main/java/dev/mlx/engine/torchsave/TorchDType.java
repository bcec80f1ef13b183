package dev.mlx.engine.torchsave;

import dev.mlx.engine.safetensors.SafetensorsDType;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Optional;

/**
 * The storage element types mlx reads from {@code torch.save} files, by their pickled storage
 * class ({@code torch.FloatStorage}, ...), with their little-endian decoding to float32:
 * float32, float16 (exact), bfloat16 (exact), float64 (rounded), int64 and int32 (exact up to
 * {@code 2^24}).
 */
public enum TorchDType {
    FLOAT("FloatStorage", 4),
    HALF("HalfStorage", 2),
    BFLOAT16("BFloat16Storage", 2),
    DOUBLE("DoubleStorage", 8),
    LONG("LongStorage", 8),
    INT("IntStorage", 4);

    private final String storageClass;
    private final int bytes;

    TorchDType(String storageClass, int bytes) {
        this.storageClass = storageClass;
        this.bytes = bytes;
    }

    /** @return the storage class name in module {@code torch}, e.g. {@code FloatStorage} */
    public String storageClass() {
        return storageClass;
    }

    /** @return the size of one element in bytes */
    public int bytes() {
        return bytes;
    }

    /**
     * @param storageClass a class name in module {@code torch}
     * @return its element type, if mlx reads it
     */
    static Optional<TorchDType> ofStorageClass(String storageClass) {
        return Arrays.stream(values()).filter(t -> t.storageClass.equals(storageClass)).findFirst();
    }

    /**
     * @param data the storage bytes, little-endian order set
     * @param element the element index
     * @return the element as float32
     */
    float read(ByteBuffer data, int element) {
        int at = element * bytes;
        return switch (this) {
            case FLOAT -> data.getFloat(at);
            case HALF -> SafetensorsDType.halfToFloat(data.getShort(at));
            case BFLOAT16 -> Float.intBitsToFloat((data.getShort(at) & 0xFFFF) << 16);
            case DOUBLE -> (float) data.getDouble(at);
            case LONG -> (float) data.getLong(at);
            case INT -> (float) data.getInt(at);
        };
    }
}
