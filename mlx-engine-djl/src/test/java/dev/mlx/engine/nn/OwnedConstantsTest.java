package dev.mlx.engine.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import dev.mlx.api.model.Architecture;
import dev.mlx.api.model.LayerSpec;
import dev.mlx.api.train.Batch;
import dev.mlx.api.train.OwnedArrays;
import dev.mlx.api.train.Regularizer;
import dev.mlx.api.train.Scalars;
import dev.mlx.api.train.TrainingContext;
import dev.mlx.engine.MlxEngine;
import dev.mlx.engine.method.CertR4Provider;
import dev.mlx.engine.testkit.GarbageChurn;
import dev.mlx.engine.testkit.RegularizerTestKit;
import dev.mlx.engine.testkit.SharedEngine;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Constants made from Java data ({@link Scalars}, {@link OwnedArrays}, the dropout mask, the
 * max-pool window bank) stay valid until the backward pass: the gradients are exact even when a
 * garbage collection and fresh allocations ({@link GarbageChurn}) happen between the forward and
 * the backward pass. Before these constants were copied into libtorch memory, a float64
 * {@code Scalars.times} gave a wrong gradient in 30 of 30 such runs.
 */
class OwnedConstantsTest {
    private static final MlxEngine ENGINE = SharedEngine.get();
    private static final int REPEATS = 5;

    @Test
    void scalarsAndOwnedArraysKeepTheirValuesUntilTheBackwardPass() {
        for (DataType type : new DataType[] {DataType.FLOAT32, DataType.FLOAT64}) {
            for (int rep = 0; rep < REPEATS; rep++) {
                try (NDManager m = ENGINE.manager().newSubManager()) {
                    NDArray x = OwnedArrays.of(m, new double[] {1, 2, 3}, new Shape(3), type);
                    x.setRequiresGradient(true);
                    try (GradientCollector collector = ENGINE.engine().newGradientCollector()) {
                        // d/dx sum(x * 3 / 2 * w) = 1.5 w
                        NDArray w = OwnedArrays.of(m, new float[] {0.5f, 2, -4}, new Shape(3), type);
                        NDArray y = Scalars.divide(Scalars.times(x, 3), 2).mul(w).sum();
                        GarbageChurn.run(m);
                        collector.backward(y);
                    }
                    assertArrayEquals(new double[] {0.75, 3, -6},
                            x.getGradient().toType(DataType.FLOAT64, false).toDoubleArray(), 0.0, type.toString());
                }
            }
        }
    }

    @Test
    void anOwnedCopyHasTheRequestedTypeAndValues() {
        try (NDManager m = ENGINE.manager().newSubManager()) {
            NDArray a = OwnedArrays.of(m, new double[] {0.1, -2}, new Shape(2, 1), DataType.FLOAT64);
            assertEquals(DataType.FLOAT64, a.getDataType());
            assertEquals(new Shape(2, 1), a.getShape());
            assertArrayEquals(new double[] {0.1, -2}, a.toDoubleArray(), 0.0, "float64 keeps double precision");
            NDArray ids = OwnedArrays.of(m, new long[] {3, 1 << 40});
            assertEquals(DataType.INT64, ids.getDataType());
            assertArrayEquals(new long[] {3, 1 << 40}, ids.toLongArray());
            NDArray s = OwnedArrays.scalar(m, 2.5, DataType.FLOAT32);
            assertEquals(new Shape(), s.getShape());
            assertEquals(2.5f, s.getFloat());
            assertTrue(!s.hasGradient(), "a constant");
        }
    }

    @Test
    void theDropoutMaskSurvivesAGarbageCollectionBeforeTheBackwardPass() {
        NetworkMode mode = new NetworkMode();
        mode.set(true);
        DropoutLayer dropout = new DropoutLayer(0.5, 3, mode);
        for (int rep = 0; rep < REPEATS; rep++) {
            try (NDManager m = ENGINE.manager().newSubManager()) {
                NDArray x = m.ones(new Shape(64), DataType.FLOAT64);
                x.setRequiresGradient(true);
                NDArray y;
                try (GradientCollector collector = ENGINE.engine().newGradientCollector()) {
                    y = dropout.forward(x);
                    GarbageChurn.run(m);
                    collector.backward(y.sum());
                }
                // the gradient is the mask itself, which the forward output (x = 1) shows: 0 or 1/(1-p)
                double[] mask = y.toDoubleArray();
                double[] g = x.getGradient().toDoubleArray();
                for (int i = 0; i < g.length; i++) {
                    assertTrue(mask[i] == 0 || mask[i] == 2, "mask " + mask[i]);
                    assertEquals(mask[i], g[i], 0.0, "entry " + i);
                }
            }
        }
    }

    /** Cert-R4 on a CNN with max pooling: its input-gradient bounds go through the pooling's window bank. */
    @Test
    void maxPoolIntervalBoundsGiveTheSameGradientAfterAGarbageCollection() {
        Architecture arch = new Architecture(List.of(new LayerSpec.Conv2d(1, 2, 3, 1, 1, true),
                new LayerSpec.MaxPool2d(2, 2, 0), new LayerSpec.Relu(), new LayerSpec.Flatten(),
                new LayerSpec.Linear(8, 3)));
        CertR4Provider provider = new CertR4Provider();
        Regularizer cert = provider.create(provider.parameters().defaults());
        try (Network net = ENGINE.networks().create(arch, new int[] {1, 4, 4}, 5, Map.of(), DataType.FLOAT64);
                NDManager m = ENGINE.manager().newSubManager()) {
            Batch batch = RegularizerTestKit.batch(m, 9, new int[] {1, 4, 4}, 3);
            List<double[]> clean = gradients(net, cert, batch, m, false);
            for (int rep = 0; rep < REPEATS; rep++) {
                List<double[]> churned = gradients(net, cert, batch, m, true);
                for (int i = 0; i < clean.size(); i++) {
                    assertArrayEquals(clean.get(i), churned.get(i), 0.0, "parameter " + i);
                }
            }
            assertTrue(clean.stream().flatMapToDouble(java.util.Arrays::stream).anyMatch(v -> v != 0),
                    "the penalty trains the parameters");
        }
    }

    private static List<double[]> gradients(Network net, Regularizer r, Batch batch, NDManager m, boolean churn) {
        List<double[]> out = new ArrayList<>();
        try (NDManager step = m.newSubManager()) {
            try (GradientCollector collector = ENGINE.engine().newGradientCollector()) {
                NDArray penalty = r.penalty(net, batch, new TrainingContext(0, 1, 0, 3, 1, step));
                if (churn) {
                    GarbageChurn.run(step);
                }
                collector.backward(penalty);
            }
            for (Parameter p : net.parameters()) {
                out.add(p.array().getGradient().toType(DataType.FLOAT64, false).toDoubleArray());
                JniUtils.zeroGrad((PtNDArray) p.array());
            }
        }
        return out;
    }
}
