package dev.mlx.engine.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.mlx.api.error.ErrorKind;
import dev.mlx.api.error.MlxException;
import dev.mlx.engine.onnx.proto.OnnxProto.GraphProto;
import dev.mlx.engine.onnx.proto.OnnxProto.ModelProto;
import dev.mlx.engine.onnx.proto.OnnxProto.NodeProto;
import dev.mlx.engine.onnx.proto.OnnxProto.StringStringEntryProto;
import dev.mlx.engine.onnx.proto.OnnxProto.TensorProto;
import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The ONNX reader on small models built with the generated classes: every storage form of float
 * and int64 tensors it accepts, and one user error for each kind of model it cannot load.
 */
class OnnxModelReaderTest {
    private static byte[] model(TensorProto... initializers) {
        GraphProto graph = GraphProto.newBuilder().setName("g").addAllInitializer(List.of(initializers))
                .addNode(NodeProto.newBuilder().setName("n").setOpType("MatMul").addInput("x").addInput("w")
                        .addOutput("y"))
                .build();
        return ModelProto.newBuilder().setIrVersion(8).setProducerName("test").setGraph(graph).build().toByteArray();
    }

    private static TensorProto.Builder tensor(String name, TensorProto.DataType type, long... dims) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(type.getNumber());
        Arrays.stream(dims).forEach(t::addDims);
        return t;
    }

    private static String failure(byte[] bytes) {
        MlxException e = assertThrows(MlxException.class,
                () -> OnnxModelReader.read(new ByteArrayInputStream(bytes), "m.onnx"));
        assertEquals(ErrorKind.USER, e.kind());
        assertTrue(e.getMessage().contains("m.onnx"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        return e.getMessage();
    }

    @Test
    void readsRawAndTypedFloatAndInt64TensorsAndTheNodes() {
        ByteBuffer raw = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putFloat(1.5f).putFloat(-2)
                .putFloat(0x1p-20f).putFloat(7);
        ByteBuffer rawLongs = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(-3).putLong(1L << 40);
        OnnxGraph g = OnnxModelReader.read(new ByteArrayInputStream(model(
                tensor("w", TensorProto.DataType.FLOAT, 2, 2).setRawData(ByteString.copyFrom(raw.array())).build(),
                tensor("f", TensorProto.DataType.FLOAT, 3).addFloatData(0.25f).addFloatData(-1).addFloatData(3)
                        .build(),
                tensor("ids", TensorProto.DataType.INT64, 2).setRawData(ByteString.copyFrom(rawLongs.array()))
                        .build(),
                tensor("shape", TensorProto.DataType.INT64, 2).addInt64Data(5).addInt64Data(-1).build())),
                "m.onnx");
        assertEquals(List.of("w", "f", "ids", "shape"), List.copyOf(g.initializers().keySet()));
        assertArrayEquals(new float[] {1.5f, -2, 0x1p-20f, 7}, g.initializers().get("w").floats());
        assertArrayEquals(new long[] {2, 2}, g.initializers().get("w").dims());
        assertArrayEquals(new float[] {0.25f, -1, 3}, g.initializers().get("f").floats());
        assertArrayEquals(new long[] {-3, 1L << 40}, g.initializers().get("ids").longs());
        assertArrayEquals(new long[] {5, -1}, g.initializers().get("shape").longs());
        assertEquals(List.of(new OnnxNode("n", "MatMul", List.of("x", "w"), List.of("y"))), g.nodes());
    }

    @Test
    void externalDataOtherTypesWrongCountsMissingGraphAndDamageAreUserErrors() {
        assertTrue(failure(model(tensor("w", TensorProto.DataType.FLOAT, 1).addExternalData(
                StringStringEntryProto.newBuilder().setKey("location").setValue("w.bin")).build()))
                .contains("tensor w keeps its values in an external data file"));
        assertTrue(failure(model(tensor("q", TensorProto.DataType.INT8, 1).setRawData(ByteString.copyFrom(
                new byte[1])).build())).contains("tensor q has ONNX element type 3"));
        assertTrue(failure(model(tensor("w", TensorProto.DataType.FLOAT, 2, 3).addFloatData(1).build()))
                .contains("tensor w has shape [2, 3] (6 values) but stores 1 values"));
        assertTrue(failure(ModelProto.newBuilder().setIrVersion(8).build().toByteArray())
                .contains("holds no ONNX graph"));
        byte[] good = model(tensor("w", TensorProto.DataType.FLOAT, 64).addAllFloatData(
                java.util.Collections.nCopies(64, 1f)).build());
        assertTrue(failure(Arrays.copyOf(good, good.length / 2)).startsWith("cannot read the ONNX model m.onnx"));
        assertTrue(failure(new byte[] {(byte) 0xFF, (byte) 0xFF, 1, 2, 3}).contains("not an ONNX model"));
    }
}
