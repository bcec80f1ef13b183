package dev.mlx.engine.train;

import dev.mlx.api.error.ErrorKind;
import dev.mlx.api.error.MlxException;
import dev.mlx.api.metric.GroupAccuracy;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The training checkpoint file ({@code checkpoint.mlxc}): magic {@code MLXC}, format version, then a
 * {@link TrainingState} field by field, big-endian (tensors as name, length, float32 values).
 *
 * <p>{@link #write} writes a temporary file next to the target, forces it to disk and renames it over
 * the previous checkpoint in one atomic move, so a crash (even {@code kill -9}) leaves either the old
 * or the new checkpoint, never half of one.
 */
public final class TrainingCheckpoints {
    private static final int MAGIC = 0x4D4C5843; // "MLXC"
    private static final int VERSION = 1;

    private TrainingCheckpoints() {}

    /**
     * @param file the checkpoint file to (re)place
     * @param state the state to save
     * @throws MlxException (resources) if the file cannot be written
     */
    public static void write(Path file, TrainingState state) {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            try (OutputStream raw = Files.newOutputStream(tmp);
                    DataOutputStream out = new DataOutputStream(new BufferedOutputStream(raw))) {
                out.writeInt(MAGIC);
                out.writeInt(VERSION);
                out.writeInt(state.epochsDone());
                out.writeLong(state.globalStep());
                writeTensors(out, state.weights());
                out.writeLong(state.adam().steps());
                writeTensors(out, state.adam().first());
                writeTensors(out, state.adam().second());
                out.writeInt(state.dropoutDraws().length);
                for (long d : state.dropoutDraws()) {
                    out.writeLong(d);
                }
                out.writeInt(state.history().size());
                for (EpochMetrics m : state.history()) {
                    out.writeInt(m.epoch());
                    out.writeDouble(m.taskLoss());
                    out.writeDouble(m.penalty());
                    out.writeDouble(m.trainAccuracy());
                    out.writeDouble(m.seconds());
                    out.writeLong(m.examples());
                    out.writeBoolean(m.test() != null);
                    if (m.test() != null) {
                        writeLongs(out, m.test().correct());
                        writeLongs(out, m.test().count());
                    }
                }
                out.flush();
                raw.flush();
            }
            try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(tmp,
                    java.nio.file.StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // the original error says what happened
            }
            throw new MlxException(ErrorKind.RESOURCES, "cannot write the training checkpoint " + file + ": "
                    + e.getMessage() + "; free space on that filesystem or choose another --out", e);
        }
    }

    /**
     * @param file a checkpoint written by {@link #write}
     * @return the state
     * @throws MlxException (user error) if the file is missing, truncated or not a checkpoint
     */
    public static TrainingState read(Path file) {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
            if (in.readInt() != MAGIC) {
                throw MlxException.userError(file + " is not an mlx training checkpoint");
            }
            int version = in.readInt();
            if (version != VERSION) {
                throw MlxException.userError(file + " is a checkpoint of format " + version + "; this mlx reads "
                        + VERSION);
            }
            int epochs = in.readInt();
            long step = in.readLong();
            Map<String, float[]> weights = readTensors(in);
            long adamSteps = in.readLong();
            Map<String, float[]> first = readTensors(in);
            Map<String, float[]> second = readTensors(in);
            long[] draws = new long[checkedCount(in.readInt())];
            for (int i = 0; i < draws.length; i++) {
                draws[i] = in.readLong();
            }
            int n = checkedCount(in.readInt());
            List<EpochMetrics> history = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int epoch = in.readInt();
                double task = in.readDouble();
                double penalty = in.readDouble();
                double acc = in.readDouble();
                double seconds = in.readDouble();
                long examples = in.readLong();
                GroupAccuracy test = in.readBoolean() ? new GroupAccuracy(readLongs(in), readLongs(in)) : null;
                history.add(new EpochMetrics(epoch, task, penalty, acc, seconds, examples, test));
            }
            if (in.read() != -1) {
                throw MlxException.userError(file + " has trailing bytes; it is not a complete checkpoint");
            }
            return new TrainingState(epochs, step, weights, new TrainingState.Moments(adamSteps, first, second), draws,
                    history);
        } catch (EOFException e) {
            throw MlxException.userError(file + " is truncated; it is not a complete checkpoint", e);
        } catch (IOException e) {
            throw MlxException.userError("cannot read the training checkpoint " + file + ": " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw MlxException.userError(file + " is corrupt: " + e.getMessage(), e);
        }
    }

    private static void writeTensors(DataOutputStream out, Map<String, float[]> tensors) throws IOException {
        out.writeInt(tensors.size());
        for (Map.Entry<String, float[]> e : new java.util.TreeMap<>(tensors).entrySet()) {
            out.writeUTF(e.getKey());
            out.writeInt(e.getValue().length);
            for (float v : e.getValue()) {
                out.writeFloat(v);
            }
        }
    }

    private static Map<String, float[]> readTensors(DataInputStream in) throws IOException {
        int n = checkedCount(in.readInt());
        Map<String, float[]> m = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            String name = in.readUTF();
            float[] v = new float[checkedCount(in.readInt())];
            for (int j = 0; j < v.length; j++) {
                v[j] = in.readFloat();
            }
            m.put(name, v);
        }
        return m;
    }

    private static void writeLongs(DataOutputStream out, long[] values) throws IOException {
        out.writeInt(values.length);
        for (long v : values) {
            out.writeLong(v);
        }
    }

    private static long[] readLongs(DataInputStream in) throws IOException {
        long[] v = new long[checkedCount(in.readInt())];
        for (int i = 0; i < v.length; i++) {
            v[i] = in.readLong();
        }
        return v;
    }

    private static int checkedCount(int n) {
        if (n < 0 || n > 1 << 30) {
            throw new IllegalArgumentException("a count of " + n);
        }
        return n;
    }
}
