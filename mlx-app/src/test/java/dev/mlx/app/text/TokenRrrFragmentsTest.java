package dev.mlx.app.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import dev.mlx.api.data.DataContext;
import dev.mlx.api.data.DataSplit;
import dev.mlx.api.model.Architecture;
import dev.mlx.api.model.LayerSpec;
import dev.mlx.api.train.Regularizer;
import dev.mlx.api.train.TrainingContext;
import dev.mlx.app.testing.TinyTextProvider;
import dev.mlx.engine.data.Batches;
import dev.mlx.engine.nn.Network;
import dev.mlx.engine.nn.Parameter;
import dev.mlx.engine.testkit.SharedEngine;
import dev.mlx.engine.train.GradientAccumulator;
import dev.mlx.text.method.TokenRrrProvider;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Gradient accumulation on a text model: token-RRR's step gradient (double backprop through the
 * word embeddings of a tiny random BERT, float64) summed over 4 fragments equals the one-pass
 * gradient of the whole batch.
 */
class TokenRrrFragmentsTest {
    private static final Architecture TINY_BERT = new Architecture(List.of(
            new LayerSpec.TextEncoder("random", 30522, 16, 1, 2, 32, 16, "cls", 0), new LayerSpec.Linear(16, 8),
            new LayerSpec.Relu(), new LayerSpec.Linear(8, 2)));

    @Test
    void tokenRrrGradientOverFourFragmentsIsTheFullBatchGradient() {
        TinyTextProvider data = new TinyTextProvider();
        DataSplit train = data.load(data.parameters().bind(data.name(), Map.of("train-size", "12")), 4,
                new DataContext(Path.of("none"), Path.of("none"), false)).train();
        TokenRrrProvider provider = new TokenRrrProvider();
        Regularizer rrr = provider.create(provider.parameters().defaults());
        try (Network net = SharedEngine.get().networks().create(TINY_BERT, train.exampleShape(), 2, Map.of(),
                DataType.FLOAT64)) {
            List<double[]> whole = gradient(net, rrr, train, 1);
            List<double[]> split = gradient(net, rrr, train, 4);
            double largest = 0;
            for (int i = 0; i < whole.size(); i++) {
                for (int j = 0; j < whole.get(i).length; j++) {
                    double a = whole.get(i)[j];
                    largest = Math.max(largest, Math.abs(a));
                    assertEquals(a, split.get(i)[j], 1e-5 * Math.max(1, Math.abs(a)), "parameter " + i + "[" + j + "]");
                }
            }
            assertTrue(largest > 1e-4, "the gradient is not trivially zero: " + largest);
        }
    }

    private static List<double[]> gradient(Network net, Regularizer regularizer, DataSplit split, int fragments) {
        int[] order = Batches.range(split.size());
        try (NDManager step = SharedEngine.get().manager().newSubManager()) {
            GradientAccumulator.StepResult r = new GradientAccumulator(fragments).accumulate(net, regularizer,
                    split.size(), (a, b, m) -> Batches.slice(split, order, a, b, m),
                    new TrainingContext(0, 1, 0, 2, 3, step));
            assertTrue(r.penalty() > 0, "the decoy is masked, so the penalty is positive: " + r.penalty());
            List<double[]> grads = new ArrayList<>();
            for (Parameter p : net.trainableParameters()) {
                try (NDArray g = p.array().getGradient(); NDArray g64 = g.toType(DataType.FLOAT64, false)) {
                    grads.add(g64.toDoubleArray());
                }
                JniUtils.zeroGrad((PtNDArray) p.array());
            }
            return grads;
        }
    }
}
