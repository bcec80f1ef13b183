package dev.mlx.engine.text;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.ExtensionRegistryLite;
import com.google.protobuf.WireFormat;
import dev.mlx.api.error.MlxException;
import dev.mlx.engine.onnx.proto.OnnxProto.GraphProto;
import dev.mlx.engine.onnx.proto.OnnxProto.ModelProto;
import dev.mlx.engine.onnx.proto.OnnxProto.NodeProto;
import dev.mlx.engine.onnx.proto.OnnxProto.TensorProto;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the initializers and nodes of an ONNX model file with the message classes protoc generates
 * from {@code onnx.proto} ({@code dev.mlx.engine.onnx.proto}). Float and int64 tensors are
 * supported, from {@code raw_data} (little-endian) or {@code float_data}/{@code int64_data};
 * external data and other element types end in an {@link MlxException} naming the tensor.
 *
 * <p>The adapter kept here streams the two outer messages ({@code ModelProto.graph}, then the
 * graph's {@code node} and {@code initializer} entries, by the generated field-number constants)
 * and parses each node and tensor with its generated parser, so a tensor's bytes can be collected
 * once converted. {@code ModelProto.parseFrom} holds every tensor's bytes until the last is
 * converted: on all-MiniLM-L6-v2 (90 MB, 102 initializers) it peaked at 222 MB of heap, failed with
 * {@code -Xmx200m} and took 0.5 to 0.6 s; streaming peaks at about 145 MB, runs with
 * {@code -Xmx150m} and takes about 0.4 s (the wire-level reader it replaced: the same memory, 0.2 s).
 */
public final class OnnxModelReader {
    private OnnxModelReader() {}

    /**
     * @param in the model file's bytes (not closed)
     * @param source a name for messages, e.g. the file or resource
     * @return the graph's initializers and nodes
     * @throws MlxException (user error) if the stream is not a readable ONNX model
     */
    public static OnnxGraph read(InputStream in, String source) {
        try {
            CodedInputStream coded = CodedInputStream.newInstance(in);
            coded.setSizeLimit(Integer.MAX_VALUE);
            OnnxGraph graph = null;
            for (int tag = coded.readTag(); tag != 0; tag = coded.readTag()) {
                if (isMessage(tag, ModelProto.GRAPH_FIELD_NUMBER)) {
                    int limit = coded.pushLimit(coded.readRawVarint32());
                    graph = readGraph(coded, source);
                    coded.popLimit(limit);
                } else {
                    coded.skipField(tag);
                }
            }
            if (graph == null) {
                throw MlxException.userError(source + " holds no ONNX graph (ModelProto field 7); it is not an ONNX"
                        + " model file or it is truncated");
            }
            return graph;
        } catch (IOException | RuntimeException e) {
            if (e instanceof MlxException mlx) {
                throw mlx;
            }
            throw MlxException.userError("cannot read the ONNX model " + source + ": " + e.getMessage()
                    + "; the file is damaged or not an ONNX model", e);
        }
    }

    private static boolean isMessage(int tag, int field) {
        return WireFormat.getTagFieldNumber(tag) == field
                && WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED;
    }

    private static OnnxGraph readGraph(CodedInputStream in, String source) throws IOException {
        Map<String, OnnxTensor> initializers = new LinkedHashMap<>();
        List<OnnxNode> nodes = new ArrayList<>();
        ExtensionRegistryLite none = ExtensionRegistryLite.getEmptyRegistry();
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            if (isMessage(tag, GraphProto.NODE_FIELD_NUMBER)) {
                NodeProto n = in.readMessage(NodeProto.parser(), none);
                nodes.add(new OnnxNode(n.getName(), n.getOpType(), n.getInputList(), n.getOutputList()));
            } else if (isMessage(tag, GraphProto.INITIALIZER_FIELD_NUMBER)) {
                OnnxTensor t = tensor(in.readMessage(TensorProto.parser(), none), source);
                initializers.put(t.name(), t);
            } else {
                in.skipField(tag);
            }
        }
        return new OnnxGraph(initializers, nodes);
    }

    private static OnnxTensor tensor(TensorProto t, String source) {
        String name = t.getName();
        if (t.getExternalDataCount() > 0 || t.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
            throw MlxException.userError(source + ": tensor " + name + " keeps its values in an external data file;"
                    + " only self-contained ONNX models are supported (re-save it with all tensors inside the model)");
        }
        long[] shape = t.getDimsList().stream().mapToLong(Long::longValue).toArray();
        long count = 1;
        for (long d : shape) {
            count *= d;
        }
        ByteString raw = t.hasRawData() ? t.getRawData() : null;
        if (t.getDataType() == OnnxTensor.FLOAT) {
            float[] values;
            if (raw != null) {
                FloatBuffer fb = raw.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
                values = new float[fb.remaining()];
                fb.get(values);
            } else {
                values = new float[t.getFloatDataCount()];
                for (int i = 0; i < values.length; i++) {
                    values[i] = t.getFloatData(i);
                }
            }
            checkCount(source, name, shape, count, values.length);
            return new OnnxTensor(name, shape, t.getDataType(), values, new long[0]);
        }
        if (t.getDataType() == OnnxTensor.INT64) {
            long[] values;
            if (raw != null) {
                LongBuffer lb = raw.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asLongBuffer();
                values = new long[lb.remaining()];
                lb.get(values);
            } else {
                values = t.getInt64DataList().stream().mapToLong(Long::longValue).toArray();
            }
            checkCount(source, name, shape, count, values.length);
            return new OnnxTensor(name, shape, t.getDataType(), new float[0], values);
        }
        throw MlxException.userError(source + ": tensor " + name + " has ONNX element type " + t.getDataType()
                + "; only float32 (1) and int64 (7) weights are supported (a quantised model cannot be loaded: use"
                + " the float model)");
    }

    private static void checkCount(String source, String name, long[] shape, long expected, int actual) {
        if (expected != actual) {
            throw MlxException.userError(source + ": tensor " + name + " has shape " + java.util.Arrays.toString(shape)
                    + " (" + expected + " values) but stores " + actual + " values; the file is damaged");
        }
    }
}
