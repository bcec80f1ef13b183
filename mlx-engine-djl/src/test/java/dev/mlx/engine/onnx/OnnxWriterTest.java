package dev.mlx.engine.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import dev.mlx.api.error.ErrorKind;
import dev.mlx.api.error.MlxException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The wire format: the writer's bytes decode, field number by field number, to the model that was
 * written (decoded here with protobuf's generic {@link CodedInputStream}, independently of ONNX
 * Runtime).
 */
class OnnxWriterTest {

    /** The fields of one message: field number to the raw values (Long for varints, byte[] for length-delimited). */
    private static Map<Integer, List<Object>> fields(byte[] message) throws IOException {
        CodedInputStream in = CodedInputStream.newInstance(message);
        Map<Integer, List<Object>> out = new LinkedHashMap<>();
        int tag;
        while ((tag = in.readTag()) != 0) {
            int field = WireFormat.getTagFieldNumber(tag);
            Object value = switch (WireFormat.getTagWireType(tag)) {
                case WireFormat.WIRETYPE_VARINT -> in.readInt64();
                case WireFormat.WIRETYPE_LENGTH_DELIMITED -> in.readByteArray();
                case WireFormat.WIRETYPE_FIXED32 -> in.readFloat();
                default -> throw new AssertionError("unexpected wire type in tag " + tag);
            };
            out.computeIfAbsent(field, k -> new ArrayList<>()).add(value);
        }
        return out;
    }

    private static Map<Integer, List<Object>> only(Map<Integer, List<Object>> message, int field) throws IOException {
        List<Object> values = message.get(field);
        assertEquals(1, values.size(), "field " + field);
        return fields((byte[]) values.get(0));
    }

    private static String string(Map<Integer, List<Object>> message, int field) {
        return new String((byte[]) message.get(field).get(0), java.nio.charset.StandardCharsets.UTF_8);
    }

    @Test
    void modelGraphNodeAttributeTensorAndValueInfoUseTheOnnxFieldNumbers() throws IOException {
        OnnxNode gemm = new OnnxNode("layer1/Gemm", "Gemm", List.of("input", "w", "b"), List.of("logits"),
                List.of(new OnnxAttribute.Int("transB", 1), OnnxAttribute.Ints.of("pads", 1, 2),
                        new OnnxAttribute.Float("epsilon", 0.25f)));
        OnnxInitializer w = new OnnxInitializer("w", new long[] {2, 3}, new float[] {1, 2, 3, 4, 5, -6.5f});
        OnnxValueInfo input = new OnnxValueInfo("input",
                List.of(OnnxValueInfo.Dimension.symbolic("batch"), OnnxValueInfo.Dimension.of(3)));
        OnnxGraph graph = new OnnxGraph("g", List.of(gemm), List.of(w), List.of(input), List.of());
        byte[] bytes = OnnxWriter.toBytes(new OnnxModel(8, 17, "mlx", "1.2", graph, Map.of("k", "v")));

        Map<Integer, List<Object>> model = fields(bytes);
        assertEquals(8L, model.get(1).get(0), "ir_version = 1");
        assertEquals("mlx", string(model, 2), "producer_name = 2");
        assertEquals("1.2", string(model, 3), "producer_version = 3");
        assertEquals(17L, only(model, 8).get(2).get(0), "opset_import = 8, version = 2");
        Map<Integer, List<Object>> meta = only(model, 14);
        assertEquals("k", string(meta, 1));
        assertEquals("v", string(meta, 2));

        Map<Integer, List<Object>> g = only(model, 7);
        assertEquals("g", string(g, 2), "GraphProto.name = 2");
        Map<Integer, List<Object>> node = only(g, 1);
        assertEquals(List.of("input", "w", "b"), node.get(1).stream().map(b -> new String((byte[]) b)).toList());
        assertEquals("logits", string(node, 2));
        assertEquals("layer1/Gemm", string(node, 3));
        assertEquals("Gemm", string(node, 4));
        List<Object> attributes = node.get(5);
        Map<Integer, List<Object>> transB = fields((byte[]) attributes.get(0));
        assertEquals("transB", string(transB, 1));
        assertEquals(1L, transB.get(3).get(0), "AttributeProto.i = 3");
        assertEquals((long) OnnxWriter.ATTRIBUTE_INT, transB.get(20).get(0), "type = 20, INT = 2");
        Map<Integer, List<Object>> pads = fields((byte[]) attributes.get(1));
        assertEquals(List.of(1L, 2L), pads.get(8), "AttributeProto.ints = 8, unpacked");
        assertEquals(7L, pads.get(20).get(0), "INTS = 7");
        Map<Integer, List<Object>> eps = fields((byte[]) attributes.get(2));
        assertEquals(0.25f, eps.get(2).get(0), "AttributeProto.f = 2");
        assertEquals(1L, eps.get(20).get(0), "FLOAT = 1");

        Map<Integer, List<Object>> tensor = only(g, 5);
        assertEquals(List.of(2L, 3L), tensor.get(1), "TensorProto.dims = 1");
        assertEquals(1L, tensor.get(2).get(0), "data_type = 2, FLOAT = 1");
        assertEquals("w", string(tensor, 8), "TensorProto.name = 8");
        float[] raw = new float[6];
        ByteBuffer.wrap((byte[]) tensor.get(9).get(0)).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(raw);
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, -6.5f}, raw, "raw_data = 9, little-endian float32");

        Map<Integer, List<Object>> in = only(g, 11);
        assertEquals("input", string(in, 1));
        Map<Integer, List<Object>> tensorType = only(only(in, 2), 1);
        assertEquals(1L, tensorType.get(1).get(0), "elem_type FLOAT");
        List<Object> dims = only(tensorType, 2).get(1);
        assertEquals("batch", string(fields((byte[]) dims.get(0)), 2), "dim_param = 2");
        assertEquals(3L, fields((byte[]) dims.get(1)).get(1).get(0), "dim_value = 1");
    }

    @Test
    void writingAFileMovesTheCompleteModelIntoPlaceAndLeavesNoTemporaryFile(@TempDir Path tmp) throws IOException {
        OnnxGraph graph = new OnnxGraph("g", List.of(new OnnxNode("n", "Relu", List.of("input"), List.of("logits"),
                List.of())), List.of(), List.of(), List.of());
        OnnxModel model = new OnnxModel(8, 17, "mlx", "1", graph, Map.of());
        Path target = tmp.resolve("sub/model.onnx");
        OnnxWriter.write(model, target);
        assertArrayEquals(OnnxWriter.toBytes(model), Files.readAllBytes(target));
        try (Stream<Path> files = Files.list(target.getParent())) {
            assertEquals(List.of("model.onnx"), files.map(p -> p.getFileName().toString()).toList());
        }

        Path blocked = Files.writeString(tmp.resolve("a-file"), "x").resolve("model.onnx");
        MlxException e = assertThrows(MlxException.class, () -> OnnxWriter.write(model, blocked));
        assertEquals(ErrorKind.RESOURCES, e.kind());
        assertTrue(e.getMessage().startsWith("cannot write the ONNX file " + blocked), e.getMessage());
    }

    @Test
    void initializerShapeMustMatchItsValues() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new OnnxInitializer("w", new long[] {2, 3}, new float[5]));
        assertEquals("w: shape [2, 3] needs 6 values, got 5", e.getMessage());
    }
}
