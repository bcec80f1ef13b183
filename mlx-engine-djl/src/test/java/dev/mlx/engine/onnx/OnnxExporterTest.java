package dev.mlx.engine.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mlx.api.error.MlxException;
import dev.mlx.api.error.UnsupportedCapabilityException;
import dev.mlx.api.model.LayerSpec;
import dev.mlx.engine.nn.Network;
import dev.mlx.engine.testkit.SharedEngine;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The graph the exporter builds: operators, attributes, names, weights, shapes and its refusals. */
class OnnxExporterTest {

    @Test
    void mlpBecomesFlattenGemmReluGemmWithTheNetworksWeights() {
        int[] shape = {1, 8, 8};
        try (Network network = SharedEngine.get().networks().create(OnnxParityTest.MLP, shape, 3)) {
            OnnxModel model = new OnnxExporter().export(network, shape, "9.9", Map.of("mlx.run", "/runs/x"));
            OnnxGraph graph = model.graph();
            assertEquals(List.of("Flatten", "Gemm", "Relu", "Gemm", "Relu", "Gemm"),
                    graph.nodes().stream().map(OnnxNode::opType).toList());
            OnnxNode firstGemm = graph.nodes().get(1);
            assertEquals(List.of("layer0/Flatten", "layer1.weight", "layer1.bias"), firstGemm.inputs());
            assertEquals(List.of(new OnnxAttribute.Int("transB", 1)), firstGemm.attributes());
            assertEquals(List.of(OnnxExporter.OUTPUT), graph.nodes().get(5).outputs(), "the last node writes the logits");
            assertEquals(List.of(OnnxExporter.INPUT), graph.nodes().get(0).inputs());

            assertEquals(network.parameters().size(), graph.initializers().size());
            for (int i = 0; i < graph.initializers().size(); i++) {
                OnnxInitializer init = graph.initializers().get(i);
                assertEquals(network.parameters().get(i).name(), init.name());
                assertEquals(List.of(toBoxed(network.parameters().get(i).array().getShape().getShape())),
                        List.of(toBoxed(init.dims())));
                assertTrue(java.util.Arrays.equals(network.parameters().get(i).array().toFloatArray(), init.values()),
                        init.name() + " holds the parameter's values");
            }
            OnnxValueInfo in = graph.inputs().get(0);
            assertEquals(List.of(OnnxValueInfo.Dimension.symbolic("batch"), OnnxValueInfo.Dimension.of(1),
                    OnnxValueInfo.Dimension.of(8), OnnxValueInfo.Dimension.of(8)), in.dims());
            assertEquals(List.of(OnnxValueInfo.Dimension.symbolic("batch"), OnnxValueInfo.Dimension.of(5)),
                    graph.outputs().get(0).dims());
            assertEquals(8, model.irVersion());
            assertEquals(17, model.opsetVersion());
            assertEquals("9.9", model.producerVersion());
            assertEquals("/runs/x", model.metadata().get("mlx.run"));
            assertEquals(OnnxParityTest.MLP.toString(), model.metadata().get("mlx.architecture"));
        }
    }

    private static List<Long> toBoxed(long[] a) {
        return java.util.Arrays.stream(a).boxed().toList();
    }

    @Test
    void convCarriesKernelStridesPadsDilationsAndGroup() {
        int[] shape = {2, 18, 18};
        try (Network network = SharedEngine.get().networks().create(OnnxParityTest.CNN, shape, 4)) {
            OnnxNode conv = new OnnxExporter().export(network, shape, "t", Map.of()).graph().nodes().get(0);
            assertEquals("Conv", conv.opType());
            assertEquals(List.of(OnnxAttribute.Ints.of("kernel_shape", 5, 5), OnnxAttribute.Ints.of("strides", 2, 2),
                    OnnxAttribute.Ints.of("pads", 2, 2, 2, 2), OnnxAttribute.Ints.of("dilations", 1, 1),
                    new OnnxAttribute.Int("group", 1)), conv.attributes());
        }
    }

    @Test
    void aLayerWithoutTranslationIsRefusedByNameAndPosition() {
        int[] shape = {1, 8, 8};
        Map<Class<? extends LayerSpec>, LayerTranslator> withoutRelu = new LinkedHashMap<>(LayerTranslators.builtIns());
        withoutRelu.remove(LayerSpec.Relu.class);
        try (Network network = SharedEngine.get().networks().create(OnnxParityTest.MLP, shape, 3)) {
            UnsupportedCapabilityException e = assertThrows(UnsupportedCapabilityException.class,
                    () -> new OnnxExporter(withoutRelu).export(network, shape, "t", Map.of()));
            assertTrue(e.getMessage().startsWith("ONNX export does not support layer layer2 (ReLU); supported layer"
                    + " types: "), e.getMessage());
            assertTrue(e.getMessage().contains("Linear"), e.getMessage());
        }
    }

    @Test
    void aWrongExampleShapeIsRefused() {
        try (Network network = SharedEngine.get().networks().create(OnnxParityTest.CNN, new int[] {2, 18, 18}, 4)) {
            UnsupportedCapabilityException e = assertThrows(UnsupportedCapabilityException.class,
                    () -> new OnnxExporter().export(network, new int[] {3, 18, 18}, "t", Map.of()));
            assertTrue(e.getMessage().contains("receives inputs of shape [batch, 3, 18, 18]"), e.getMessage());
            MlxException empty = assertThrows(MlxException.class,
                    () -> new OnnxExporter().export(network, new int[0], "t", Map.of()));
            assertTrue(empty.getMessage().contains("invalid example shape"), empty.getMessage());
        }
    }
}
