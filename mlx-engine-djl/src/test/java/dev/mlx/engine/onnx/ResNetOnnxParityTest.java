package dev.mlx.engine.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.onnxruntime.OrtException;
import dev.mlx.api.model.Architecture;
import dev.mlx.api.model.LayerSpec;
import dev.mlx.api.model.LayerSpec.BatchNormMode;
import dev.mlx.engine.io.Checkpoints;
import dev.mlx.engine.nn.Network;
import dev.mlx.engine.nn.Parameter;
import dev.mlx.engine.testkit.SharedEngine;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * ResNet-18 (torchvision's architecture: He et al., "Deep Residual Learning for Image Recognition",
 * CVPR 2016) with the R4 head (dropout, Linear), built from layer specifications, with random
 * weights and calibrated batch-normalisation statistics: the exported model's logits match the DJL
 * network's (outside training steps) within 1e-4 on 3x32x32 inputs, in both batch-normalisation
 * modes.
 */
class ResNetOnnxParityTest {
    private static final int[] SHAPE = {3, 32, 32};

    /** torchvision's {@code BasicBlock} followed by its ReLU. */
    private static List<LayerSpec> basicBlock(int in, int out, int stride, BatchNormMode mode) {
        List<LayerSpec> body = List.of(new LayerSpec.Conv2d(in, out, 3, stride, 1, false), batchNorm(out, mode),
                new LayerSpec.Relu(), new LayerSpec.Conv2d(out, out, 3, 1, 1, false), batchNorm(out, mode));
        List<LayerSpec> shortcut = stride == 1 && in == out ? List.of()
                : List.of(new LayerSpec.Conv2d(in, out, 1, stride, 0, false), batchNorm(out, mode));
        return List.of(new LayerSpec.Residual(body, shortcut), new LayerSpec.Relu());
    }

    /** Momentum 1: one training-mode pass sets the running statistics to that batch's (see {@link #calibrated}). */
    private static LayerSpec batchNorm(int channels, BatchNormMode mode) {
        return new LayerSpec.BatchNorm2d(channels, LayerSpec.BatchNorm2d.DEFAULT_EPS, 1.0, mode);
    }

    static Architecture resnet18(int classes, BatchNormMode mode) {
        List<LayerSpec> layers = new ArrayList<>(List.of(new LayerSpec.Conv2d(3, 64, 7, 2, 3, false),
                batchNorm(64, mode), new LayerSpec.Relu(), new LayerSpec.MaxPool2d(3, 2, 1)));
        int in = 64;
        for (int width : new int[] {64, 128, 256, 512}) {
            layers.addAll(basicBlock(in, width, width == 64 ? 1 : 2, mode));
            layers.addAll(basicBlock(width, width, 1, mode));
            in = width;
        }
        layers.addAll(List.of(new LayerSpec.GlobalAvgPool2d(), new LayerSpec.Flatten(), new LayerSpec.Dropout(0.5),
                new LayerSpec.Linear(512, classes)));
        return new Architecture(layers);
    }

    /**
     * Weights with realistic batch-normalisation state: random {@code gamma} in [0.5, 1.5) and
     * {@code beta} in [-0.1, 0.1), and running statistics set by one training-mode pass over a
     * calibration batch (so that, as in a trained network, the normalised activations have about
     * unit scale and the logits depend on the input far more than the tolerance).
     */
    private static Map<String, float[]> calibrated(long seed) {
        Architecture train = resnet18(10, BatchNormMode.TRAIN);
        Map<String, float[]> affine = new HashMap<>();
        SplittableRandom random = new SplittableRandom(seed);
        try (Network fresh = SharedEngine.get().networks().create(train, SHAPE, seed)) {
            for (Parameter p : fresh.parameters()) {
                String layer = p.name().substring(0, p.name().lastIndexOf('.'));
                boolean batchNorm = fresh.parameters().stream().anyMatch(q -> q.name().equals(layer + ".running_mean"));
                boolean gamma = p.name().endsWith(".weight");
                if (batchNorm && (gamma || p.name().endsWith(".bias"))) {
                    float[] v = new float[Math.toIntExact(p.array().size())];
                    for (int i = 0; i < v.length; i++) {
                        v[i] = gamma ? (float) (0.5 + random.nextDouble()) : (float) (0.2 * random.nextDouble() - 0.1);
                    }
                    affine.put(p.name(), v);
                }
            }
        }
        try (Network network = SharedEngine.get().networks().create(train, SHAPE, seed, affine);
                NDManager manager = network.manager().newSubManager()) {
            // a training step's forward pass updates the running statistics of every batch norm
            Network.TrainingScope training = network.trainingMode();
            try {
                network.logits(manager.create(OnnxParity.inputs(16, SHAPE, seed + 1),
                        new Shape(OnnxParity.batchShape(16, SHAPE))));
                return Checkpoints.snapshot(network);
            } finally {
                training.close();
            }
        }
    }

    private static void assertParity(BatchNormMode mode) throws OrtException {
        Architecture architecture = resnet18(10, mode);
        Map<String, float[]> weights = calibrated(5);
        try (Network network = SharedEngine.get().networks().create(architecture, SHAPE, 5, weights)) {
            OnnxModel exported = new OnnxExporter().export(network, SHAPE, "test", Map.of());
            // 8 basic blocks, 20 batch normalisations (1 + 8 x 2 + 3 downsampling shortcuts)
            assertEquals(8, exported.graph().nodes().stream().filter(n -> n.opType().equals("Add")).count());
            assertEquals(20, exported.graph().nodes().stream()
                    .filter(n -> n.opType().equals("BatchNormalization")).count());
            byte[] model = OnnxWriter.toBytes(exported);
            int n = 6;
            float[] x = OnnxParity.inputs(n, SHAPE, 7);
            long[] shape = OnnxParity.batchShape(n, SHAPE);
            float[][] djl = OnnxParity.djl(network, x, shape);
            float[][] ort = OnnxParity.ort(model, x, shape);
            double diff = OnnxParity.maxAbsDifference(djl, ort);
            assertTrue(diff <= 1e-4, "ResNet-18 (" + mode + "): max |logit difference| = " + diff);
            assertArrayEquals(OnnxParity.argMax(djl), OnnxParity.argMax(ort));
            double spread = OnnxParity.maxAbsDifference(new float[][] {djl[0]}, new float[][] {djl[1]});
            assertTrue(spread > 1e-2, "the logits depend on the input far beyond the tolerance: " + spread);
        }
    }

    @Test
    void resnet18WithFrozenBatchStatisticsMatchesOnnxRuntime() throws OrtException {
        assertParity(BatchNormMode.EVAL);
    }

    @Test
    void resnet18WithTrainModeBatchNormExportsItsRunningStatistics() throws OrtException {
        assertParity(BatchNormMode.TRAIN);
    }
}
