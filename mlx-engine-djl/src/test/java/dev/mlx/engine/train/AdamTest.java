package dev.mlx.engine.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import dev.mlx.engine.nn.Parameter;
import dev.mlx.engine.testkit.SharedEngine;
import java.util.List;
import org.junit.jupiter.api.Test;

class AdamTest {
    @Test
    void matchesPyTorchAdamWithCoupledWeightDecayOverThreeSteps() {
        double lr = 0.1;
        double wd = 0.05;
        double[] theta = {1.0, -2.0};
        try (NDManager m = SharedEngine.get().manager().newSubManager()) {
            NDArray p = m.create(theta).toType(DataType.FLOAT64, false);
            p.setRequiresGradient(true);
            Adam adam = new Adam(List.of(new Parameter("p", p, true)), lr, wd);
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
            }
        }
    }
}
