package dev.mlx.engine.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtException;
import dev.mlx.api.model.Architecture;
import dev.mlx.api.model.LayerSpec;
import dev.mlx.engine.nn.Network;
import dev.mlx.engine.testkit.SharedEngine;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The exported ONNX model computes the network's logits: DJL and ONNX Runtime agree within 1e-4
 * on a few hundred generated examples, for an MLP and a CNN with random (seeded) weights, and the
 * batch dimension is dynamic.
 */
class OnnxParityTest {
    private static final double TOLERANCE = 1e-4;

    static final Architecture MLP = new Architecture(List.of(new LayerSpec.Flatten(), new LayerSpec.Linear(64, 32),
            new LayerSpec.Relu(), new LayerSpec.Linear(32, 32), new LayerSpec.Relu(), new LayerSpec.Linear(32, 5)));

    /** Strides, paddings and a kernel that does not tile the input exactly (floor in the output size). */
    static final Architecture CNN = new Architecture(List.of(
            new LayerSpec.Conv2d(2, 8, 5, 2, 2), new LayerSpec.Relu(),
            new LayerSpec.Conv2d(8, 16, 3, 2, 0), new LayerSpec.Relu(),
            new LayerSpec.Conv2d(16, 8, 1, 1, 0), new LayerSpec.Relu(),
            new LayerSpec.Flatten(), new LayerSpec.Linear(8 * 4 * 4, 24), new LayerSpec.Relu(),
            new LayerSpec.Linear(24, 7)));

    private static void assertParity(Architecture architecture, int[] exampleShape, int n, long seed)
            throws OrtException {
        try (Network network = SharedEngine.get().networks().create(architecture, exampleShape, seed)) {
            byte[] model = OnnxWriter.toBytes(new OnnxExporter().export(network, exampleShape, "test", Map.of()));
            float[] x = OnnxParity.inputs(n, exampleShape, seed + 1);
            long[] shape = OnnxParity.batchShape(n, exampleShape);
            float[][] djl = OnnxParity.djl(network, x, shape);
            float[][] ort = OnnxParity.ort(model, x, shape);
            double diff = OnnxParity.maxAbsDifference(djl, ort);
            assertTrue(diff <= TOLERANCE, architecture + ": max |logit difference| = " + diff);
            assertArrayEquals(OnnxParity.argMax(djl), OnnxParity.argMax(ort), "same predictions");
            // the logits are not trivially equal (e.g. all zero): they vary between examples
            assertTrue(OnnxParity.maxAbsDifference(new float[][] {djl[0]}, new float[][] {djl[1]}) > 1e-3);

            // dynamic batch: a single example runs through the same model
            float[] one = java.util.Arrays.copyOf(x, x.length / n);
            float[][] single = OnnxParity.ort(model, one, OnnxParity.batchShape(1, exampleShape));
            assertEquals(1, single.length);
            assertTrue(OnnxParity.maxAbsDifference(new float[][] {djl[0]}, single) <= TOLERANCE);
        }
    }

    @Test
    void mlpLogitsMatchOnnxRuntime() throws OrtException {
        assertParity(MLP, new int[] {1, 8, 8}, 300, 11);
    }

    @Test
    void cnnLogitsMatchOnnxRuntime() throws OrtException {
        assertParity(CNN, new int[] {2, 18, 18}, 300, 12);
    }
}
