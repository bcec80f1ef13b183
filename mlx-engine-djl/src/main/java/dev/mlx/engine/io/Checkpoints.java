package dev.mlx.engine.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import dev.mlx.api.error.MlxException;
import dev.mlx.engine.nn.Network;
import dev.mlx.engine.nn.Parameter;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The weights file of a run ({@code model.params}): magic {@code MLXW}, format version, then per
 * parameter its name, shape and float32 values, big-endian. Read back into
 * {@link dev.mlx.engine.nn.NetworkFactory#create} by parameter name.
 */
public final class Checkpoints {
    private static final int MAGIC = 0x4D4C5857; // "MLXW"
    private static final int VERSION = 1;

    private Checkpoints() {}

    /**
     * Copies a network's parameter values to the heap.
     *
     * @param network the network
     * @return name to values, in parameter order
     */
    public static Map<String, float[]> snapshot(Network network) {
        Map<String, float[]> values = new LinkedHashMap<>();
        for (Parameter p : network.parameters()) {
            NDArray a = p.array();
            float[] data = a.getDataType() == DataType.FLOAT32 ? a.toFloatArray() : toFloats(a.toDoubleArray());
            values.put(p.name(), data);
        }
        return values;
    }

    private static float[] toFloats(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            f[i] = (float) d[i];
        }
        return f;
    }

    /**
     * @param out the stream to write to
     * @param values name to values
     * @throws IOException if writing fails
     */
    public static void write(OutputStream out, Map<String, float[]> values) throws IOException {
        DataOutputStream data = new DataOutputStream(new BufferedOutputStream(out));
        data.writeInt(MAGIC);
        data.writeInt(VERSION);
        data.writeInt(values.size());
        for (Map.Entry<String, float[]> e : values.entrySet()) {
            data.writeUTF(e.getKey());
            data.writeInt(e.getValue().length);
            for (float v : e.getValue()) {
                data.writeFloat(v);
            }
        }
        data.flush();
    }

    /**
     * @param file a weights file
     * @return name to values
     * @throws MlxException (user error) if the file is missing, truncated or not a weights file
     */
    public static Map<String, float[]> read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw MlxException.userError("weights file " + file + " does not exist; pass the model.params of a run folder");
        }
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
            DataInputStream data = new DataInputStream(in);
            if (data.readInt() != MAGIC) {
                throw MlxException.userError(file + " is not an mlx weights file (bad magic number)");
            }
            int version = data.readInt();
            if (version != VERSION) {
                throw MlxException.userError(file + " has weights format version " + version + "; this mlx reads "
                        + VERSION);
            }
            int count = data.readInt();
            Map<String, float[]> values = new LinkedHashMap<>();
            for (int i = 0; i < count; i++) {
                String name = data.readUTF();
                int n = data.readInt();
                if (n < 0) {
                    throw MlxException.userError(file + " is corrupt (negative length for " + name + ")");
                }
                float[] v = new float[n];
                for (int j = 0; j < n; j++) {
                    v[j] = data.readFloat();
                }
                values.put(name, v);
            }
            return values;
        } catch (EOFException e) {
            throw MlxException.userError(file + " is truncated; it is not a complete mlx weights file", e);
        } catch (IOException e) {
            throw MlxException.userError("cannot read weights file " + file + ": " + e.getMessage(), e);
        }
    }
}
