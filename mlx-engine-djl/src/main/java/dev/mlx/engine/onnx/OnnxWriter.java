package dev.mlx.engine.onnx;

import com.google.protobuf.UnsafeByteOperations;
import dev.mlx.api.error.ErrorKind;
import dev.mlx.api.error.MlxException;
import dev.mlx.engine.onnx.proto.OnnxProto.AttributeProto;
import dev.mlx.engine.onnx.proto.OnnxProto.GraphProto;
import dev.mlx.engine.onnx.proto.OnnxProto.ModelProto;
import dev.mlx.engine.onnx.proto.OnnxProto.NodeProto;
import dev.mlx.engine.onnx.proto.OnnxProto.OperatorSetIdProto;
import dev.mlx.engine.onnx.proto.OnnxProto.StringStringEntryProto;
import dev.mlx.engine.onnx.proto.OnnxProto.TensorProto;
import dev.mlx.engine.onnx.proto.OnnxProto.TensorShapeProto;
import dev.mlx.engine.onnx.proto.OnnxProto.TypeProto;
import dev.mlx.engine.onnx.proto.OnnxProto.ValueInfoProto;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.UUID;

/**
 * Serialises an {@link OnnxModel} as an ONNX file: a {@code ModelProto} built with the classes
 * protoc generates from {@code onnx/onnx.proto} (ONNX v1.19.1, kept in
 * {@code src/main/proto/onnx}) at build time. Every tensor is float32 with little-endian
 * {@code raw_data}; the batch dimension of the inputs and outputs is a {@code dim_param}.
 */
public final class OnnxWriter {
    /** {@code TensorProto.DataType.FLOAT}. */
    static final int FLOAT = TensorProto.DataType.FLOAT_VALUE;
    /** {@code AttributeProto.AttributeType} values. */
    static final int ATTRIBUTE_FLOAT = AttributeProto.AttributeType.FLOAT_VALUE;
    static final int ATTRIBUTE_INT = AttributeProto.AttributeType.INT_VALUE;
    static final int ATTRIBUTE_INTS = AttributeProto.AttributeType.INTS_VALUE;

    private OnnxWriter() {}

    /**
     * @param model the model
     * @return its serialised {@code ModelProto}
     */
    public static byte[] toBytes(OnnxModel model) {
        return proto(model).toByteArray();
    }

    /**
     * @param model the model
     * @param out where to write the serialised {@code ModelProto} (not closed)
     * @throws IOException if writing fails
     */
    public static void write(OnnxModel model, OutputStream out) throws IOException {
        proto(model).writeTo(out);
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

    /**
     * @param model the model
     * @return the {@code ModelProto} of the model
     */
    static ModelProto proto(OnnxModel model) {
        ModelProto.Builder proto = ModelProto.newBuilder().setIrVersion(model.irVersion())
                .setProducerName(model.producerName()).setProducerVersion(model.producerVersion())
                .setGraph(graph(model.graph()))
                .addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(model.opsetVersion()));
        model.metadata().forEach((key, value) -> proto.addMetadataProps(
                StringStringEntryProto.newBuilder().setKey(key).setValue(value)));
        return proto.build();
    }

    private static GraphProto graph(OnnxGraph graph) {
        GraphProto.Builder proto = GraphProto.newBuilder().setName(graph.name());
        graph.nodes().forEach(n -> proto.addNode(node(n)));
        graph.initializers().forEach(t -> proto.addInitializer(tensor(t)));
        graph.inputs().forEach(i -> proto.addInput(valueInfo(i)));
        graph.outputs().forEach(o -> proto.addOutput(valueInfo(o)));
        return proto.build();
    }

    private static NodeProto node(OnnxNode node) {
        NodeProto.Builder proto = NodeProto.newBuilder().addAllInput(node.inputs()).addAllOutput(node.outputs())
                .setName(node.name()).setOpType(node.opType());
        node.attributes().forEach(a -> proto.addAttribute(attribute(a)));
        return proto.build();
    }

    private static AttributeProto attribute(OnnxAttribute attribute) {
        AttributeProto.Builder proto = AttributeProto.newBuilder().setName(attribute.name());
        if (attribute instanceof OnnxAttribute.Float f) {
            proto.setF(f.value()).setType(AttributeProto.AttributeType.FLOAT);
        } else if (attribute instanceof OnnxAttribute.Int i) {
            proto.setI(i.value()).setType(AttributeProto.AttributeType.INT);
        } else if (attribute instanceof OnnxAttribute.Ints ints) {
            proto.addAllInts(ints.values()).setType(AttributeProto.AttributeType.INTS);
        } else {
            throw new IllegalStateException("unknown attribute kind " + attribute);
        }
        return proto.build();
    }

    private static TensorProto tensor(OnnxInitializer tensor) {
        float[] values = tensor.valuesView();
        ByteBuffer raw = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        raw.asFloatBuffer().put(values);
        TensorProto.Builder proto = TensorProto.newBuilder().setDataType(FLOAT).setName(tensor.name())
                .setRawData(UnsafeByteOperations.unsafeWrap(raw.array())); // raw is not shared: no copy
        for (long d : tensor.dims()) {
            proto.addDims(d);
        }
        return proto.build();
    }

    private static ValueInfoProto valueInfo(OnnxValueInfo info) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (OnnxValueInfo.Dimension d : info.dims()) {
            shape.addDim(d.isSymbolic() ? TensorShapeProto.Dimension.newBuilder().setDimParam(d.symbol())
                    : TensorShapeProto.Dimension.newBuilder().setDimValue(d.value()));
        }
        TypeProto.Tensor tensorType = TypeProto.Tensor.newBuilder().setElemType(FLOAT).setShape(shape).build();
        return ValueInfoProto.newBuilder().setName(info.name())
                .setType(TypeProto.newBuilder().setTensorType(tensorType)).build();
    }
}
