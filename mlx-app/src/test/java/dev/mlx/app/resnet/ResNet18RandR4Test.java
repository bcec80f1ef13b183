package dev.mlx.app.resnet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.mlx.api.data.DataSplit;
import dev.mlx.api.model.Architecture;
import dev.mlx.api.param.HyperParameters;
import dev.mlx.api.train.Batch;
import dev.mlx.api.train.Regularizer;
import dev.mlx.api.train.TrainingContext;
import dev.mlx.engine.MlxEngine;
import dev.mlx.engine.data.Batches;
import dev.mlx.engine.method.RandR4Provider;
import dev.mlx.engine.nn.Network;
import dev.mlx.engine.nn.Parameter;
import dev.mlx.engine.nn.TorchvisionWeights;
import dev.mlx.engine.testkit.SharedEngine;
import dev.mlx.engine.train.EpochMetrics;
import dev.mlx.engine.train.Trainer;
import dev.mlx.engine.train.TrainingConfig;
import dev.mlx.engine.train.TrainingListener;
import dev.mlx.vision.model.ResNet18Provider;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The {@code resnet18} model plugin on the engine: a few training steps with the Rand-R4
 * regularizer (double backprop through every ResNet layer, batch statistics in training mode) on
 * 8 generated 3x32x32 images of 2 classes, with finite losses, a penalty whose parameter gradient
 * is finite everywhere and non-zero from the first convolution to the classifier, and running
 * statistics that moved; and the torchvision state-dict names and shapes of the full model.
 */
class ResNet18RandR4Test {
    private static final int SIDE = 32;

    /** Class 0 brightens the top half, class 1 the bottom half; the top-left 8x8 patch is a masked decoy. */
    private static DataSplit images(int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int f = 3 * SIDE * SIDE;
        float[] inputs = new float[n * f];
        float[] masks = new float[n * f];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % 2;
            for (int c = 0; c < 3; c++) {
                for (int h = 0; h < SIDE; h++) {
                    for (int w = 0; w < SIDE; w++) {
                        int at = i * f + (c * SIDE + h) * SIDE + w;
                        boolean signal = (h < SIDE / 2) == (labels[i] == 0);
                        boolean decoy = h < 8 && w < 8;
                        inputs[at] = (float) (0.2 * random.nextDouble() + (signal ? 0.5 : 0) + (decoy ? labels[i] : 0));
                        masks[at] = decoy ? 1 : 0;
                    }
                }
            }
        }
        return new DataSplit("generated/train", new int[] {3, SIDE, SIDE}, inputs, masks, labels, new int[n], 2, 1);
    }

    private static Architecture resnet(Map<String, String> params) {
        ResNet18Provider provider = new ResNet18Provider();
        return provider.build(provider.parameters().bind(ResNet18Provider.NAME, params), new int[] {3, SIDE, SIDE}, 2);
    }

    @Test
    @SuppressWarnings("try") // a Network.TrainingScope is a mode switch: the body never names it, only its close() counts
    void trainsAFewStepsWithRandR4AndThePenaltyHasAFiniteNonZeroParameterGradient() {
        MlxEngine engine = SharedEngine.get();
        DataSplit train = images(8, 3);
        RandR4Provider randR4 = new RandR4Provider();
        HyperParameters params = randR4.parameters().bind("rand-r4", Map.of("samples", "2", "lambda", "1",
                "epsilon", "0.5"));
        Regularizer regularizer = randR4.create(params);
        try (Network net = engine.networks().create(resnet(Map.of()), new int[] {3, SIDE, SIDE}, 1)) {
            assertEquals(11_177_538L, net.parameterCount(), "torchvision resnet18 with a 2-class fc");
            List<EpochMetrics> history = new Trainer(new TrainingConfig(1, 4, 1e-3, 0, 5)).train(net, train, null,
                    regularizer, new TrainingListener() {});
            EpochMetrics m = history.get(0);

            assertTrue(Double.isFinite(m.taskLoss()) && m.taskLoss() > 0, "task loss " + m.taskLoss());
            assertTrue(Double.isFinite(m.penalty()) && m.penalty() > 0, "penalty " + m.penalty());
            Parameter runningMean = net.parameters().stream().filter(p -> p.name().equals("layer1.running_mean"))
                    .findFirst().orElseThrow();
            assertTrue(runningMean.array().abs().sum().getFloat() > 0, "training steps update the running mean");

            try (NDManager batchManager = net.manager().newSubManager();
                    Network.TrainingScope mode = net.trainingMode()) {
                Batch batch = Batches.slice(train, Batches.range(8), 2, 6, batchManager);
                TrainingContext context = new TrainingContext(0, 1, 2, 2, 99, batchManager);
                double penalty;
                try (GradientCollector collector = engine.engine().newGradientCollector()) {
                    NDArray p = regularizer.penalty(net, batch, context);
                    penalty = p.getFloat();
                    collector.backward(p);
                }
                assertTrue(Double.isFinite(penalty) && penalty > 0, "penalty " + penalty);
                for (Parameter p : net.trainableParameters()) {
                    float[] g = p.array().getGradient().toFloatArray();
                    for (float v : g) {
                        assertTrue(Float.isFinite(v), p.name() + " has a non-finite penalty gradient");
                    }
                }
                for (String name : List.of("layer0.weight", "layer1.weight", "layer12.body.0.weight",
                        "layer16.shortcut.0.weight", "layer23.weight")) {
                    Parameter p = net.trainableParameters().stream().filter(q -> q.name().equals(name)).findFirst()
                            .orElseThrow();
                    double norm = p.array().getGradient().abs().sum().getFloat();
                    assertTrue(norm > 0, "the penalty's gradient reaches " + name + ": |grad| = " + norm);
                }
            }
        }
    }

    @Test
    void theFullModelHasTheTorchvisionStateDictNamesAndShapes() {
        Map<String, TorchvisionWeights.Target> targets = TorchvisionWeights.targets(resnet(Map.of("classes", "1000")));
        assertEquals(122, targets.size(), "torchvision resnet18's state dict has 122 tensors");
        assertEquals(List.of("conv1.weight", "bn1.weight", "bn1.bias", "bn1.running_mean", "bn1.running_var",
                "bn1.num_batches_tracked", "layer1.0.conv1.weight"), targets.keySet().stream().limit(7).toList());
        assertEquals("[128, 64, 1, 1]", Arrays.toString(targets.get("layer2.0.downsample.0.weight").shape()));
        assertEquals("[512, 256, 3, 3]", Arrays.toString(targets.get("layer4.0.conv1.weight").shape()));
        assertEquals("[512]", Arrays.toString(targets.get("layer4.1.bn2.running_var").shape()));
        assertEquals("[]", Arrays.toString(targets.get("layer3.0.downsample.1.num_batches_tracked").shape()));
        assertEquals("[1000, 512]", Arrays.toString(targets.get("fc.weight").shape()));
        assertTrue(!targets.containsKey("layer1.0.downsample.0.weight"), "layer1 has no downsample");
    }
}
