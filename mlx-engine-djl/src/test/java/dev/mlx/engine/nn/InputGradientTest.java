package dev.mlx.engine.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.mlx.api.model.Architecture;
import dev.mlx.api.model.LayerSpec;
import dev.mlx.api.train.InputGradient;
import dev.mlx.engine.MlxEngine;
import dev.mlx.engine.testkit.SharedEngine;
import java.util.List;
import org.junit.jupiter.api.Test;

class InputGradientTest {
    @Test
    void doubleBackpropGradientEqualsClosedFormForOneHiddenLayer() {
        MlxEngine engine = SharedEngine.get();
        Architecture arch = new Architecture(List.of(new LayerSpec.Flatten(), new LayerSpec.Linear(12, 7),
                new LayerSpec.Relu(), new LayerSpec.Linear(7, 3)));
        try (Network net = engine.networks().create(arch, new int[] {12}, 3, java.util.Map.of(), DataType.FLOAT64);
                NDManager m = engine.manager().newSubManager()) {
            NDArray x = m.randomNormal(new Shape(5, 12), DataType.FLOAT64);
            NDArray cot = m.randomNormal(new Shape(5, 3), DataType.FLOAT64);
            InputGradient g = net.inputGradient(x, logits -> logits.mul(cot));
            NDArray w1 = net.parameters().get(0).array();
            NDArray b1 = net.parameters().get(1).array();
            NDArray w2 = net.parameters().get(2).array();
            NDArray active = x.matMul(w1.transpose()).add(b1).gt(0).toType(DataType.FLOAT64, false);
            NDArray expected = cot.matMul(w2).mul(active).matMul(w1);
            double[] got = g.gradient().toDoubleArray();
            double[] want = expected.toDoubleArray();
            assertArrayEquals(want, got, 1e-12);
            assertTrue(g.gradient().abs().sum().getDouble() > 0);
        }
    }

    @Test
    void gradientOfAFunctionOfTheInputGradientMatchesFiniteDifferences() {
        MlxEngine engine = SharedEngine.get();
        Architecture arch = new Architecture(List.of(new LayerSpec.Flatten(), new LayerSpec.Linear(5, 6),
                new LayerSpec.Relu(), new LayerSpec.Linear(6, 3)));
        try (Network net = engine.networks().create(arch, new int[] {5}, 4, java.util.Map.of(), DataType.FLOAT64);
                NDManager m = engine.manager().newSubManager()) {
            NDArray x = m.randomNormal(new Shape(2, 5), DataType.FLOAT64);
            NDArray y = m.create(new long[] {0, 2});
            NDArray g0 = net.inputGradient(x, z -> dev.mlx.api.train.Losses.perSampleCrossEntropy(z, y)).gradient()
                    .stopGradient();
            java.util.function.UnaryOperator<NDArray> f = p -> net.inputGradient(p,
                    z -> dev.mlx.api.train.Losses.perSampleCrossEntropy(z, y)).gradient().sub(g0).add(0.3).square();
            double[] analytic = net.gradient(x, f).toDoubleArray();
            double[] base = x.toDoubleArray();
            double h = 1e-6;
            double norm = 0;
            for (int i = 0; i < base.length; i++) {
                double[] plus = base.clone();
                plus[i] += h;
                double[] minus = base.clone();
                minus[i] -= h;
                double fp = f.apply(m.create(plus, new Shape(2, 5))).sum().getDouble();
                double fm = f.apply(m.create(minus, new Shape(2, 5))).sum().getDouble();
                double fd = (fp - fm) / (2 * h);
                assertTrue(Math.abs(fd - analytic[i]) <= 1e-6 * Math.max(1, Math.abs(fd)),
                        "d/dx_" + i + ": autograd " + analytic[i] + " vs finite differences " + fd);
                norm += Math.abs(analytic[i]);
            }
            assertTrue(norm > 1e-6, "the second-order term through the softmax must be non-zero");
        }
    }

    @Test
    void nestedInputGradientAtAPointComputedFromTheInputKeepsItsSecondOrderTerm() {
        MlxEngine engine = SharedEngine.get();
        Architecture arch = new Architecture(List.of(new LayerSpec.Flatten(), new LayerSpec.Linear(4, 5),
                new LayerSpec.Relu(), new LayerSpec.Linear(5, 3)));
        try (Network net = engine.networks().create(arch, new int[] {4}, 9, java.util.Map.of(), DataType.FLOAT64);
                NDManager m = engine.manager().newSubManager()) {
            NDArray x = m.randomNormal(new Shape(2, 4), DataType.FLOAT64);
            NDArray y = m.create(new long[] {1, 2});
            // f(p) = ||grad_z CE(z)||^2 at z = 0.5 p + 0.1: z is computed from p, not p itself
            java.util.function.UnaryOperator<NDArray> f = p -> net.inputGradient(dev.mlx.api.train.Scalars.times(p, 0.5).add(0.1),
                    z -> dev.mlx.api.train.Losses.perSampleCrossEntropy(z, y)).gradient().square();
            double[] analytic = net.gradient(x, f).toDoubleArray();
            double[] base = x.toDoubleArray();
            double h = 1e-6;
            for (int i = 0; i < base.length; i++) {
                double[] plus = base.clone();
                plus[i] += h;
                double[] minus = base.clone();
                minus[i] -= h;
                double fd = (f.apply(m.create(plus, new Shape(2, 4))).sum().getDouble()
                        - f.apply(m.create(minus, new Shape(2, 4))).sum().getDouble()) / (2 * h);
                assertTrue(Math.abs(fd - analytic[i]) <= 1e-6 * Math.max(1, Math.abs(fd)),
                        "d/dx_" + i + ": autograd " + analytic[i] + " vs finite differences " + fd);
            }
        }
    }
}
