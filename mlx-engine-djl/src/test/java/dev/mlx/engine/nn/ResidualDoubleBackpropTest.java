package dev.mlx.engine.nn;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.mlx.api.model.Architecture;
import dev.mlx.api.model.LayerSpec;
import dev.mlx.api.model.LayerSpec.BatchNormMode;
import dev.mlx.api.train.Losses;
import dev.mlx.engine.MlxEngine;
import dev.mlx.engine.testkit.SharedEngine;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Double backprop through every layer type of a residual network: on a tiny float64 network with
 * a bias-free convolution, BatchNorm2d, ReLU, MaxPool2d, a residual block with a projection
 * shortcut, global average pooling, Dropout and a Linear head, the parameter gradient of an
 * RRR-style penalty {@code P = sum(mask * (d/dx sum CE)^2)} (an input gradient computed with
 * create_graph, then differentiated again) matches central finite differences, in both batch
 * normalisation modes and inside a training step (batch statistics, an active dropout mask).
 */
class ResidualDoubleBackpropTest {
    private static final int DROPOUT_INDEX = 8;
    private static final long DROPOUT_SEED = 77;

    private static Architecture architecture(BatchNormMode mode) {
        return new Architecture(List.of(
                new LayerSpec.Conv2d(2, 3, 3, 1, 1, false),
                new LayerSpec.BatchNorm2d(3, mode),
                new LayerSpec.Relu(),
                new LayerSpec.MaxPool2d(3, 2, 1),
                new LayerSpec.Residual(List.of(new LayerSpec.Conv2d(3, 4, 3, 1, 1, false),
                        new LayerSpec.BatchNorm2d(4, mode), new LayerSpec.Relu(),
                        new LayerSpec.Conv2d(4, 4, 3, 1, 1, false), new LayerSpec.BatchNorm2d(4, mode)),
                        List.of(new LayerSpec.Conv2d(3, 4, 1, 1, 0, false), new LayerSpec.BatchNorm2d(4, mode))),
                new LayerSpec.Relu(),
                new LayerSpec.GlobalAvgPool2d(),
                new LayerSpec.Flatten(),
                new LayerSpec.Dropout(0.3),
                new LayerSpec.Linear(4, 3)));
    }

    @ParameterizedTest
    @EnumSource(BatchNormMode.class)
    @SuppressWarnings("try") // a Network.TrainingScope is a mode switch: the body never names it, only its close() counts
    void penaltyParameterGradientMatchesFiniteDifferences(BatchNormMode mode) {
        MlxEngine engine = SharedEngine.get();
        Architecture arch = architecture(mode);
        int[] example = {2, 6, 6};
        SplittableRandom random = new SplittableRandom(mode.ordinal() + 31);
        Map<String, float[]> values = new HashMap<>();
        try (Network probe = engine.networks().create(arch, example, 3, Map.of(), DataType.FLOAT64)) {
            for (Parameter p : probe.parameters()) {
                int n = Math.toIntExact(p.array().size());
                float[] v = new float[n];
                for (int i = 0; i < n; i++) {
                    double u = random.nextDouble();
                    v[i] = (float) (p.name().endsWith("running_var") ? 0.5 + u
                            : p.name().endsWith("num_batches_tracked") ? 0 : 1.2 * (2 * u - 1));
                }
                if (!p.name().startsWith("layer" + (arch.layers().size() - 1))) {
                    values.put(p.name(), v); // BatchNorm scales of both signs, non-trivial running statistics
                }
            }
        }
        try (Network base = engine.networks().create(arch, example, 3, values, DataType.FLOAT64);
                NDManager m = engine.manager().newSubManager();
                Network.TrainingScope training = base.trainingMode()) {
            int batch = 3;
            double[] xs = new double[batch * 72];
            double[] ms = new double[xs.length];
            for (int i = 0; i < xs.length; i++) {
                xs[i] = random.nextDouble() * 2 - 1;
                ms[i] = random.nextDouble() < 0.5 ? 1 : 0;
            }
            NDArray x = m.create(xs, new Shape(batch, 2, 6, 6));
            NDArray mask = m.create(ms, new Shape(batch, 2, 6, 6));
            NDArray y = m.create(new long[] {0, 2, 1});
            try (GradientCollector collector = engine.engine().newGradientCollector()) {
                collector.backward(penalty(withFreshDropout(base), x, mask, y));
            }
            double h = 1e-6;
            int checked = 0;
            double largest = 0;
            for (Parameter p : base.trainableParameters()) {
                double[] analytic = p.array().getGradient().toDoubleArray();
                int n = analytic.length;
                for (int k = 0; k < Math.min(3, n); k++) {
                    int i = random.nextInt(n);
                    // every evaluation on a fresh dropout state, so each draws the same mask
                    double plus = PenaltyGradients.bumped(base, p, i, h,
                            model -> penalty(withFreshDropout(base), x, mask, y), m);
                    double minus = PenaltyGradients.bumped(base, p, i, -h,
                            model -> penalty(withFreshDropout(base), x, mask, y), m);
                    double fd = (plus - minus) / (2 * h);
                    assertTrue(Math.abs(fd - analytic[i]) <= 1e-5 * Math.max(1, Math.abs(fd)),
                            mode + " " + p.name() + "[" + i + "]: autograd " + analytic[i] + " vs finite differences "
                                    + fd);
                    largest = Math.max(largest, Math.abs(fd));
                    checked++;
                }
            }
            assertTrue(checked >= 30, "entries checked: " + checked);
            assertTrue(largest > 1e-4, "the penalty must depend on the parameters: largest |dP/dtheta| = " + largest);
        }
    }

    /** The same network with a dropout layer in its initial state, so every evaluation draws the same mask. */
    private static Network withFreshDropout(Network base) {
        List<Layer> layers = new ArrayList<>(base.layersForTest());
        layers.set(DROPOUT_INDEX, new DropoutLayer(0.3, DROPOUT_SEED, base.mode()));
        return base.withLayersForTest(layers);
    }

    private static NDArray penalty(Network net, NDArray x, NDArray mask, NDArray y) {
        NDArray g = net.inputGradient(x, z -> Losses.perSampleCrossEntropy(z, y)).gradient();
        return g.square().mul(mask).sum();
    }
}
