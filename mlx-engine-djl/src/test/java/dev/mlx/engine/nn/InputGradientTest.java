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
}
