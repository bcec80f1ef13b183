package dev.mlx.engine.text;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import dev.mlx.api.error.MlxException;
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
 * Reads the initializers and nodes of an ONNX model file ({@code onnx.proto3}: {@code ModelProto}
 * field 7 {@code graph}; {@code GraphProto} 1 {@code node}, 5 {@code initializer};
 * {@code NodeProto} 1 {@code input}, 2 {@code output}, 3 {@code name}, 4 {@code op_type};
 * {@code TensorProto} 1 {@code dims}, 2 {@code data_type}, 4 {@code float_data}, 7
 * {@code int64_data}, 8 {@code name}, 9 {@code raw_data} (little-endian), 13 {@code external_data})
 * with protobuf-java's wire-level reader, so no generated ONNX classes are needed. Every other
 * field is skipped. Float and int64 tensors are supported; external data and other element types
 * end in an {@link MlxException} naming the tensor.
 */
public final class OnnxModelReader {
    private static final int MODEL_GRAPH = 7;
    private static final int GRAPH_NODE = 1;
    private static final int GRAPH_INITIALIZER = 5;
    private static final int NODE_INPUT = 1;
    private static final int NODE_OUTPUT = 2;
    private static final int NODE_NAME = 3;
    private static final int NODE_OP_TYPE = 4;
    private static final int TENSOR_DIMS = 1;
    private static final int TENSOR_DATA_TYPE = 2;
    private static final int TENSOR_FLOAT_DATA = 4;
    private static final int TENSOR_INT64_DATA = 7;
    private static final int TENSOR_NAME = 8;
    private static final int TENSOR_RAW_DATA = 9;
    private static final int TENSOR_EXTERNAL_DATA = 13;

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
            int tag;
            while ((tag = coded.readTag()) != 0) {
                if (WireFormat.getTagFieldNumber(tag) == MODEL_GRAPH
                        && WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
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

    private static OnnxGraph readGraph(CodedInputStream in, String source) throws IOException {
        Map<String, OnnxTensor> initializers = new LinkedHashMap<>();
        List<OnnxNode> nodes = new ArrayList<>();
        int tag;
        while ((tag = in.readTag()) != 0) {
            int field = WireFormat.getTagFieldNumber(tag);
            if (field == GRAPH_NODE || field == GRAPH_INITIALIZER) {
                int limit = in.pushLimit(in.readRawVarint32());
                if (field == GRAPH_NODE) {
                    nodes.add(readNode(in));
                } else {
                    OnnxTensor t = readTensor(in, source);
                    initializers.put(t.name(), t);
                }
                in.popLimit(limit);
            } else {
                in.skipField(tag);
            }
        }
        return new OnnxGraph(initializers, nodes);
    }

    private static OnnxNode readNode(CodedInputStream in) throws IOException {
        List<String> inputs = new ArrayList<>();
        List<String> outputs = new ArrayList<>();
        String name = "";
        String op = "";
        int tag;
        while ((tag = in.readTag()) != 0) {
            switch (WireFormat.getTagFieldNumber(tag)) {
                case NODE_INPUT -> inputs.add(in.readStringRequireUtf8());
                case NODE_OUTPUT -> outputs.add(in.readStringRequireUtf8());
                case NODE_NAME -> name = in.readStringRequireUtf8();
                case NODE_OP_TYPE -> op = in.readStringRequireUtf8();
                default -> in.skipField(tag);
            }
        }
        return new OnnxNode(name, op, inputs, outputs);
    }

    private static OnnxTensor readTensor(CodedInputStream in, String source) throws IOException {
        List<Long> dims = new ArrayList<>();
        int dataType = 0;
        String name = "";
        ByteString raw = null;
        List<Float> floatData = new ArrayList<>();
        List<Long> longData = new ArrayList<>();
        boolean external = false;
        int tag;
        while ((tag = in.readTag()) != 0) {
            int field = WireFormat.getTagFieldNumber(tag);
            boolean packed = WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED;
            switch (field) {
                case TENSOR_DIMS -> readLongs(in, packed, dims);
                case TENSOR_DATA_TYPE -> dataType = in.readInt32();
                case TENSOR_FLOAT_DATA -> {
                    if (packed) {
                        int limit = in.pushLimit(in.readRawVarint32());
                        while (in.getBytesUntilLimit() > 0) {
                            floatData.add(in.readFloat());
                        }
                        in.popLimit(limit);
                    } else {
                        floatData.add(in.readFloat());
                    }
                }
                case TENSOR_INT64_DATA -> readLongs(in, packed, longData);
                case TENSOR_NAME -> name = in.readStringRequireUtf8();
                case TENSOR_RAW_DATA -> raw = in.readBytes();
                case TENSOR_EXTERNAL_DATA -> {
                    external = true;
                    in.skipField(tag);
                }
                default -> in.skipField(tag);
            }
        }
        if (external) {
            throw MlxException.userError(source + ": tensor " + name + " keeps its values in an external data file;"
                    + " only self-contained ONNX models are supported (re-save it with all tensors inside the model)");
        }
        long[] shape = dims.stream().mapToLong(Long::longValue).toArray();
        long count = 1;
        for (long d : shape) {
            count *= d;
        }
        if (dataType == OnnxTensor.FLOAT) {
            float[] values;
            if (raw != null) {
                FloatBuffer fb = raw.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
                values = new float[fb.remaining()];
                fb.get(values);
            } else {
                values = new float[floatData.size()];
                for (int i = 0; i < values.length; i++) {
                    values[i] = floatData.get(i);
                }
            }
            checkCount(source, name, shape, count, values.length);
            return new OnnxTensor(name, shape, dataType, values, new long[0]);
        }
        if (dataType == OnnxTensor.INT64) {
            long[] values;
            if (raw != null) {
                LongBuffer lb = raw.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asLongBuffer();
                values = new long[lb.remaining()];
                lb.get(values);
            } else {
                values = longData.stream().mapToLong(Long::longValue).toArray();
            }
            checkCount(source, name, shape, count, values.length);
            return new OnnxTensor(name, shape, dataType, new float[0], values);
        }
        throw MlxException.userError(source + ": tensor " + name + " has ONNX element type " + dataType
                + "; only float32 (1) and int64 (7) weights are supported (a quantised model cannot be loaded: use"
                + " the float model)");
    }

    private static void readLongs(CodedInputStream in, boolean packed, List<Long> into) throws IOException {
        if (packed) {
            int limit = in.pushLimit(in.readRawVarint32());
            while (in.getBytesUntilLimit() > 0) {
                into.add(in.readInt64());
            }
            in.popLimit(limit);
        } else {
            into.add(in.readInt64());
        }
    }

    private static void checkCount(String source, String name, long[] shape, long expected, int actual) {
        if (expected != actual) {
            throw MlxException.userError(source + ": tensor " + name + " has shape " + java.util.Arrays.toString(shape)
                    + " (" + expected + " values) but stores " + actual + " values; the file is damaged");
        }
    }
}
