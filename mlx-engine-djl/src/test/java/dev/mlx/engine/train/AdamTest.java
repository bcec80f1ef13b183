package dev.mlx.engine.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.mlx.engine.autograd.FusedAdamScript;
import dev.mlx.engine.nn.Parameter;
import dev.mlx.engine.testkit.SharedEngine;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * Adam against a hand computation of PyTorch's update, in both forms (the fused libtorch kernel
 * and the element-wise fallback), and the two forms against each other on float32 tensors of
 * several shapes over many steps.
 */
class AdamTest {
    @ParameterizedTest(name = "fused={0}")
    @ValueSource(booleans = {true, false})
    void matchesPyTorchAdamWithCoupledWeightDecayOverThreeSteps(boolean fused) {
        double lr = 0.1;
        double wd = 0.05;
        double[] theta = {1.0, -2.0};
        try (NDManager m = SharedEngine.get().manager().newSubManager()) {
            NDArray p = m.create(theta).toType(DataType.FLOAT64, false);
            p.setRequiresGradient(true);
            Adam adam = new Adam(List.of(new Parameter("p", p, true)), lr, 0.9, 0.999, 1e-8, wd, form(fused));
            double[] mom = new double[2];
            double[] vel = new double[2];
            double[] expected = theta.clone();
            for (int t = 1; t <= 3; t++) {
                try (GradientCollector c = SharedEngine.get().engine().newGradientCollector()) {
                    // loss = sum(theta^3): grad = 3 theta^2
                    NDArray loss = p.pow(3).sum();
                    c.backward(loss);
                }
                adam.step();
                for (int i = 0; i < 2; i++) {
                    double g = 3 * expected[i] * expected[i] + wd * expected[i];
                    mom[i] = 0.9 * mom[i] + 0.1 * g;
                    vel[i] = 0.999 * vel[i] + 0.001 * g * g;
                    double mHat = mom[i] / (1 - Math.pow(0.9, t));
                    double vHat = vel[i] / (1 - Math.pow(0.999, t));
                    expected[i] -= lr * mHat / (Math.sqrt(vHat) + 1e-8);
                }
                assertArrayEquals(expected, p.toDoubleArray(), 1e-6, "after step " + t);
                assertArrayEquals(new double[2], p.getGradient().toDoubleArray(), 0.0, "gradients zeroed");
            }
        }
    }

    @Test
    void fusedAndElementWiseFormsAgreeOnFloat32OverManySteps() {
        assertTrue(FusedAdamScript.shared().isPresent(), "libtorch 2.7.1 compiles the fused Adam module");
        List<List<Parameter>> twins = new ArrayList<>();
        try (NDManager m = SharedEngine.get().manager().newSubManager()) {
            SplittableRandom random = new SplittableRandom(5);
            Shape[] shapes = {new Shape(7, 13), new Shape(13), new Shape(3, 2, 4, 4)};
            for (int copy = 0; copy < 2; copy++) {
                List<Parameter> params = new ArrayList<>();
                SplittableRandom init = new SplittableRandom(11);
                for (int k = 0; k < shapes.length; k++) {
                    float[] v = new float[(int) shapes[k].size()];
                    for (int i = 0; i < v.length; i++) {
                        v[i] = (float) (init.nextDouble() * 2 - 1);
                    }
                    NDArray a = m.create(v, shapes[k]);
                    a.setRequiresGradient(true);
                    params.add(new Parameter("p" + k, a, true));
                }
                twins.add(params);
            }
            Adam fused = new Adam(twins.get(0), 0.01, 0.9, 0.999, 1e-8, 1e-3, FusedAdamScript.shared());
            Adam plain = new Adam(twins.get(1), 0.01, 0.9, 0.999, 1e-8, 1e-3, Optional.empty());
            for (int step = 0; step < 50; step++) {
                // the same random quadratic-plus-cubic loss on both copies
                long seed = random.nextLong();
                for (int copy = 0; copy < 2; copy++) {
                    SplittableRandom r = new SplittableRandom(seed);
                    try (GradientCollector c = SharedEngine.get().engine().newGradientCollector()) {
                        NDArray loss = null;
                        for (Parameter p : twins.get(copy)) {
                            NDArray term = p.array().pow(3).mul((float) r.nextDouble()).sum()
                                    .add(p.array().square().mul((float) r.nextDouble()).sum());
                            loss = loss == null ? term : loss.add(term);
                        }
                        c.backward(loss);
                    }
                    (copy == 0 ? fused : plain).step();
                }
            }
            assertEquals(50, fused.steps());
            for (int k = 0; k < 3; k++) {
                float[] a = twins.get(0).get(k).array().toFloatArray();
                float[] b = twins.get(1).get(k).array().toFloatArray();
                for (int i = 0; i < a.length; i++) {
                    assertEquals(b[i], a[i], 1e-5f * Math.max(1, Math.abs(b[i])), "parameter " + k + "[" + i + "]");
                }
            }
        }
    }

    private static Optional<FusedAdamScript> form(boolean fused) {
        return fused ? FusedAdamScript.shared() : Optional.empty();
    }
}
