package dev.mlx.engine.onnx;

import com.google.protobuf.CodedOutputStream;
import dev.mlx.api.error.ErrorKind;
import dev.mlx.api.error.MlxException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.UUID;

/**
 * Serialises an {@link OnnxModel} as an ONNX file: a {@code ModelProto} message in the protobuf
 * wire format, written field by field with protobuf's {@link CodedOutputStream} (no generated
 * classes). The field numbers are those of {@code onnx/onnx.proto}:
 *
 * <pre>
 * ModelProto          ir_version=1 producer_name=2 producer_version=3 graph=7 opset_import=8 metadata_props=14
 * OperatorSetIdProto  domain=1 version=2            StringStringEntryProto  key=1 value=2
 * GraphProto          node=1 name=2 initializer=5 input=11 output=12
 * NodeProto           input=1 output=2 name=3 op_type=4 attribute=5
 * AttributeProto      name=1 f=2 i=3 ints=8 type=20 (FLOAT=1, INT=2, INTS=7)
 * TensorProto         dims=1 data_type=2 (FLOAT=1) name=8 raw_data=9 (little-endian IEEE 754)
 * ValueInfoProto      name=1 type=2;  TypeProto tensor_type=1;  TypeProto.Tensor elem_type=1 shape=2
 * TensorShapeProto    dim=1;  Dimension dim_value=1 dim_param=2
 * </pre>
 *
 * Repeated scalars ({@code dims}, {@code ints}) are written unpacked, as {@code onnx.proto}
 * (proto2, no {@code packed} option) declares them.
 */
public final class OnnxWriter {
    /** {@code TensorProto.DataType.FLOAT}. */
    static final int FLOAT = 1;
    /** {@code AttributeProto.AttributeType} values. */
    static final int ATTRIBUTE_FLOAT = 1;
    static final int ATTRIBUTE_INT = 2;
    static final int ATTRIBUTE_INTS = 7;

    private OnnxWriter() {}

    /**
     * @param model the model
     * @return its serialised {@code ModelProto}
     */
    public static byte[] toBytes(OnnxModel model) {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        try {
            write(model, buffer);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return buffer.toByteArray();
    }

    /**
     * @param model the model
     * @param out where to write the serialised {@code ModelProto} (not closed)
     * @throws IOException if writing fails
     */
    public static void write(OnnxModel model, OutputStream out) throws IOException {
        CodedOutputStream coded = CodedOutputStream.newInstance(out);
        coded.writeInt64(1, model.irVersion());
        coded.writeString(2, model.producerName());
        coded.writeString(3, model.producerVersion());
        coded.writeByteArray(7, graph(model.graph()));
        coded.writeByteArray(8, message(m -> m.writeInt64(2, model.opsetVersion())));
        for (Map.Entry<String, String> e : model.metadata().entrySet()) {
            coded.writeByteArray(14, message(m -> {
                m.writeString(1, e.getKey());
                m.writeString(2, e.getValue());
            }));
        }
        coded.flush();
    }

    /**
     * Writes the model to a temporary file next to {@code file} and moves it into place, so no
     * reader sees half a file.
     *
     * @param model the model
     * @param file the target, e.g. {@code model.onnx}
     * @throws MlxException (resources) if the file cannot be written
     */
    public static void write(OnnxModel model, Path file) {
        Path target = file.toAbsolutePath().normalize();
        Path tmp = null;
        try {
            Files.createDirectories(target.getParent());
            // a fresh hidden name, created with the default permissions (createTempFile would make it owner-only)
            tmp = target.resolveSibling("." + target.getFileName() + "." + UUID.randomUUID() + ".tmp");
            try (OutputStream out = Files.newOutputStream(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                write(model, out);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            tmp = null;
        } catch (IOException e) {
            throw new MlxException(ErrorKind.RESOURCES, "cannot write the ONNX file " + file + ": " + e.getMessage()
                    + "; check that the folder is writable and the disk has space", e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // best effort: a leftover hidden temporary file is harmless
                }
            }
        }
    }

    private static byte[] graph(OnnxGraph graph) throws IOException {
        return message(m -> {
            for (OnnxNode node : graph.nodes()) {
                m.writeByteArray(1, node(node));
            }
            m.writeString(2, graph.name());
            for (OnnxInitializer tensor : graph.initializers()) {
                m.writeByteArray(5, tensor(tensor));
            }
            for (OnnxValueInfo input : graph.inputs()) {
                m.writeByteArray(11, valueInfo(input));
            }
            for (OnnxValueInfo output : graph.outputs()) {
                m.writeByteArray(12, valueInfo(output));
            }
        });
    }

    private static byte[] node(OnnxNode node) throws IOException {
        return message(m -> {
            for (String input : node.inputs()) {
                m.writeString(1, input);
            }
            for (String output : node.outputs()) {
                m.writeString(2, output);
            }
            m.writeString(3, node.name());
            m.writeString(4, node.opType());
            for (OnnxAttribute attribute : node.attributes()) {
                m.writeByteArray(5, attribute(attribute));
            }
        });
    }

    private static byte[] attribute(OnnxAttribute attribute) throws IOException {
        return message(m -> {
            m.writeString(1, attribute.name());
            if (attribute instanceof OnnxAttribute.Float f) {
                m.writeFloat(2, f.value());
                m.writeEnum(20, ATTRIBUTE_FLOAT);
            } else if (attribute instanceof OnnxAttribute.Int i) {
                m.writeInt64(3, i.value());
                m.writeEnum(20, ATTRIBUTE_INT);
            } else if (attribute instanceof OnnxAttribute.Ints ints) {
                for (long v : ints.values()) {
                    m.writeInt64(8, v);
                }
                m.writeEnum(20, ATTRIBUTE_INTS);
            } else {
                throw new IllegalStateException("unknown attribute kind " + attribute);
            }
        });
    }

    private static byte[] tensor(OnnxInitializer tensor) throws IOException {
        float[] values = tensor.valuesView();
        ByteBuffer raw = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        raw.asFloatBuffer().put(values);
        return message(m -> {
            for (long d : tensor.dims()) {
                m.writeInt64(1, d);
            }
            m.writeInt32(2, FLOAT);
            m.writeString(8, tensor.name());
            m.writeByteArray(9, raw.array());
        });
    }

    private static byte[] valueInfo(OnnxValueInfo info) throws IOException {
        byte[] shape = message(s -> {
            for (OnnxValueInfo.Dimension d : info.dims()) {
                s.writeByteArray(1, message(dim -> {
                    if (d.isSymbolic()) {
                        dim.writeString(2, d.symbol());
                    } else {
                        dim.writeInt64(1, d.value());
                    }
                }));
            }
        });
        byte[] tensorType = message(t -> {
            t.writeInt32(1, FLOAT);
            t.writeByteArray(2, shape);
        });
        byte[] type = message(t -> t.writeByteArray(1, tensorType));
        return message(m -> {
            m.writeString(1, info.name());
            m.writeByteArray(2, type);
        });
    }

    /** Writes the fields of one message into a buffer. */
    @FunctionalInterface
    private interface Fields {
        void write(CodedOutputStream out) throws IOException;
    }

    /** @return the fields written by {@code fields}, as the bytes of one length-delimited message body */
    private static byte[] message(Fields fields) throws IOException {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        CodedOutputStream out = CodedOutputStream.newInstance(buffer);
        fields.write(out);
        out.flush();
        return buffer.toByteArray();
    }
}
