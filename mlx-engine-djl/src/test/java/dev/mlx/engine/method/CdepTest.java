package dev.mlx.engine.method;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.mlx.api.error.UnsupportedCapabilityException;
import dev.mlx.api.model.Architecture;
import dev.mlx.api.model.LayerSpec;
import dev.mlx.api.param.HyperParameters;
import dev.mlx.api.train.Batch;
import dev.mlx.api.train.InputGradient;
import dev.mlx.api.train.IntervalBounds;
import dev.mlx.api.train.Model;
import dev.mlx.api.train.TrainingContext;
import dev.mlx.engine.MlxEngine;
import dev.mlx.engine.nn.ContextualDecomposition;
import dev.mlx.engine.nn.Network;
import dev.mlx.engine.testkit.RegularizerTestKit;
import dev.mlx.engine.testkit.SharedEngine;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class CdepTest {
    private static final Architecture MLP = new Architecture(List.of(new LayerSpec.Flatten(),
            new LayerSpec.Linear(12, 6), new LayerSpec.Relu(), new LayerSpec.Linear(6, 5), new LayerSpec.Relu(),
            new LayerSpec.Linear(5, 4)));
    private static final Architecture CNN = new Architecture(List.of(new LayerSpec.Conv2d(2, 3, 3, 2, 1),
            new LayerSpec.Relu(), new LayerSpec.Conv2d(3, 2, 2, 1, 0), new LayerSpec.Relu(), new LayerSpec.Flatten(),
            new LayerSpec.Linear(2 * 3 * 3, 6), new LayerSpec.Relu(), new LayerSpec.Linear(6, 4)));
    private static final int[] CNN_SHAPE = {2, 7, 7};
    /** Flatten before the ReLU, as in the reference's "small" DermaNet. */
    private static final Architecture CNN_FLATTEN_FIRST = new Architecture(List.of(
            new LayerSpec.Conv2d(1, 2, 4, 1, 1), new LayerSpec.Flatten(), new LayerSpec.Relu(),
            new LayerSpec.Linear(2 * 3 * 3, 3)));
    private static final Architecture TINY_CNN = new Architecture(List.of(new LayerSpec.Conv2d(1, 2, 3, 2, 1),
            new LayerSpec.Relu(), new LayerSpec.Flatten(), new LayerSpec.Linear(18, 3)));

    private final MlxEngine engine = SharedEngine.get();

    @Test
    void passesTheRegularizerTestKit() {
        new RegularizerTestKit(engine).checkAll(new CdepProvider());
    }

    @Test
    void gradientOnATinyCnnMatchesFiniteDifferences() {
        CdepProvider cdep = new CdepProvider();
        HyperParameters p = cdep.parameters().bind("cdep", Map.of("lambda", "3"));
        double worst = new RegularizerTestKit(engine).checkParameterGradient(cdep, p, 1e-4, TINY_CNN,
                new int[] {1, 6, 6}, 3);
        assertTrue(worst < 1e-4);
    }

    @Test
    void relevantPlusIrrelevantEqualsTheLogits() {
        checkCompleteness(MLP, new int[] {3, 4}, false);
        checkCompleteness(CNN, CNN_SHAPE, false);
        checkCompleteness(CNN_FLATTEN_FIRST, new int[] {1, 4, 4}, false);
    }

    /**
     * Where a convolution sees only zeros (MNIST's black background) both contributions are 0;
     * CDEP's code would drop the bias there, this implementation gives it to the irrelevant part.
     */
    @Test
    void completenessHoldsWhereAConvolutionSeesOnlyZeros() {
        checkCompleteness(CNN, CNN_SHAPE, true);
    }

    private void checkCompleteness(Architecture arch, int[] shape, boolean blackCorner) {
        SplittableRandom r = new SplittableRandom(31);
        for (int seed = 0; seed < 4; seed++) {
            try (Network net = engine.networks().create(arch, shape, seed, Map.of(), DataType.FLOAT64);
                    NDManager m = engine.manager().newSubManager()) {
                NDArray[] xm = inputsAndMasks(m, r, shape, 5, blackCorner);
                ContextualDecomposition.Parts parts = ContextualDecomposition.decompose(net, xm[0], xm[1]);
                double[] sum = parts.relevant().add(parts.irrelevant()).toDoubleArray();
                double[] logits = net.logits(xm[0]).toDoubleArray();
                double[] beta = parts.relevant().toDoubleArray();
                double betaNorm = 0;
                for (int i = 0; i < logits.length; i++) {
                    assertEquals(logits[i], sum[i], 1e-12 * Math.max(1, Math.abs(logits[i])),
                            arch + ": beta + gamma must equal the logits (entry " + i + ")");
                    betaNorm += Math.abs(beta[i]);
                }
                assertTrue(betaNorm > 1e-6, "a non-empty group has a non-zero relevant part");
            }
        }
    }

    /** x in [-1, 1] (zero in a 3x3 corner of every channel if asked), masks half 1, some fractional. */
    private static NDArray[] inputsAndMasks(NDManager m, SplittableRandom r, int[] shape, int batch,
            boolean blackCorner) {
        int f = 1;
        for (int d : shape) {
            f *= d;
        }
        double[] x = new double[batch * f];
        double[] mask = new double[batch * f];
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextDouble() * 2 - 1;
            mask[i] = r.nextDouble() < 0.5 ? 1 : (r.nextDouble() < 0.2 ? r.nextDouble() : 0);
        }
        if (blackCorner) {
            int side = shape[shape.length - 1];
            for (int plane = 0; plane < x.length / (side * side); plane++) {
                for (int a = 0; a < 3; a++) {
                    for (int b = 0; b < 3; b++) {
                        x[plane * side * side + a * side + b] = 0;
                    }
                }
            }
        }
        long[] dims = new long[shape.length + 1];
        dims[0] = batch;
        for (int i = 0; i < shape.length; i++) {
            dims[i + 1] = shape[i];
        }
        return new NDArray[] {m.create(x, new Shape(dims)), m.create(mask, new Shape(dims))};
    }

    /** CD of Flatten -> Linear -> ReLU -> Linear -> ReLU -> Linear written out on the host. */
    @Test
    void decompositionMatchesAHandWrittenReferenceAndThePenaltyIsTheMeanSoftmaxOfThePair() {
        SplittableRandom r = new SplittableRandom(5);
        try (Network net = engine.networks().create(MLP, new int[] {3, 4}, 8, Map.of(), DataType.FLOAT64);
                NDManager m = engine.manager().newSubManager()) {
            int batch = 3;
            NDArray[] xm = inputsAndMasks(m, r, new int[] {3, 4}, batch, false);
            double[] x = xm[0].toDoubleArray();
            double[] mask = xm[1].toDoubleArray();
            double[][] w = new double[3][];
            double[][] b = new double[3][];
            for (int l = 0; l < 3; l++) {
                w[l] = net.parameters().get(2 * l).array().toDoubleArray();
                b[l] = net.parameters().get(2 * l + 1).array().toDoubleArray();
            }
            int[] sizes = {12, 6, 5, 4};
            ContextualDecomposition.Parts parts = ContextualDecomposition.decompose(net, xm[0], xm[1]);
            double[] beta = parts.relevant().toDoubleArray();
            double[] gamma = parts.irrelevant().toDoubleArray();
            double lambda = 2.5;
            double expectedPenalty = 0;
            for (int n = 0; n < batch; n++) {
                double[] rel = new double[12];
                double[] irr = new double[12];
                for (int i = 0; i < 12; i++) {
                    rel[i] = mask[n * 12 + i] * x[n * 12 + i];
                    irr[i] = x[n * 12 + i] - rel[i];
                }
                for (int l = 0; l < 3; l++) {
                    int in = sizes[l];
                    int out = sizes[l + 1];
                    double[] nr = new double[out];
                    double[] ni = new double[out];
                    for (int o = 0; o < out; o++) {
                        double a = 0;
                        double c = 0;
                        for (int i = 0; i < in; i++) {
                            a += w[l][o * in + i] * rel[i];
                            c += w[l][o * in + i] * irr[i];
                        }
                        double share = Math.abs(a) / (Math.abs(a) + Math.abs(c) + 1e-19);
                        nr[o] = a + share * b[l][o];
                        ni[o] = c + (1 - share) * b[l][o];
                        if (l < 2) { // ReLU: beta' = relu(beta), gamma' = relu(beta + gamma) - relu(beta)
                            double relu = Math.max(nr[o], 0);
                            ni[o] = Math.max(nr[o] + ni[o], 0) - relu;
                            nr[o] = relu;
                        }
                    }
                    rel = nr;
                    irr = ni;
                }
                for (int c = 0; c < 4; c++) {
                    assertEquals(rel[c], beta[n * 4 + c], 1e-12, "beta[" + n + "," + c + "]");
                    assertEquals(irr[c], gamma[n * 4 + c], 1e-12, "gamma[" + n + "," + c + "]");
                    // CDEP: softmax over the pair (beta, gamma), component of beta, averaged
                    expectedPenalty += Math.exp(rel[c]) / (Math.exp(rel[c]) + Math.exp(irr[c]));
                }
            }
            expectedPenalty = lambda * expectedPenalty / (batch * 4);
            CdepProvider cdep = new CdepProvider();
            Batch data = new Batch(xm[0], m.create(new long[] {0, 1, 2}), xm[1]);
            double penalty = cdep.create(cdep.parameters().bind("cdep", Map.of("lambda", "2.5")))
                    .penalty(net, data, new TrainingContext(0, 1, 0, 3, 0, m)).getDouble();
            assertEquals(expectedPenalty, penalty, 1e-12);
        }
    }

    @Test
    void maskingNothingGivesAnEmptyRelevantPartAndTheEmptyGroupValue() {
        for (Architecture arch : List.of(MLP, CNN)) {
            int[] shape = arch == MLP ? new int[] {3, 4} : CNN_SHAPE;
            try (Network net = engine.networks().create(arch, shape, 2, Map.of(), DataType.FLOAT64);
                    NDManager m = engine.manager().newSubManager()) {
                NDArray x = inputsAndMasks(m, new SplittableRandom(9), shape, 4, false)[0];
                NDArray none = x.zerosLike();
                ContextualDecomposition.Parts parts = ContextualDecomposition.decompose(net, x, none);
                for (double v : parts.relevant().toDoubleArray()) {
                    assertEquals(0.0, v, 0.0, "masking nothing must leave beta exactly 0");
                }
                double[] z = net.logits(x).toDoubleArray();
                double empty = 0;
                for (double zi : z) {
                    empty += 1 / (1 + Math.exp(zi)); // softmax(0, z)[0]
                }
                empty /= z.length;
                CdepProvider cdep = new CdepProvider();
                Batch data = new Batch(x, m.create(new long[] {0, 1, 2, 3}), none);
                double penalty = cdep.create(cdep.parameters().defaults())
                        .penalty(net, data, new TrainingContext(0, 1, 0, 3, 0, m)).getDouble();
                assertEquals(empty, penalty, 1e-12);
            }
        }
    }

    @Test
    void aModelThatIsNotTheEnginesNetworkIsRefusedClearly() {
        Model foreign = new Model() {
            @Override
            public NDArray logits(NDArray inputs) {
                throw new AssertionError();
            }

            @Override
            public InputGradient inputGradient(NDArray inputs, UnaryOperator<NDArray> objective) {
                throw new AssertionError();
            }

            @Override
            public NDArray gradient(NDArray inputs, UnaryOperator<NDArray> function) {
                throw new AssertionError();
            }

            @Override
            public IntervalBounds intervalBounds() {
                throw new AssertionError();
            }

            @Override
            public List<NDArray> weights() {
                return List.of();
            }
        };
        try (NDManager m = engine.manager().newSubManager()) {
            Batch batch = RegularizerTestKit.batch(m, 1);
            CdepProvider cdep = new CdepProvider();
            UnsupportedCapabilityException e = assertThrows(UnsupportedCapabilityException.class,
                    () -> cdep.create(cdep.parameters().defaults()).penalty(foreign, batch,
                            new TrainingContext(0, 1, 0, 3, 0, m)));
            assertTrue(e.getMessage().contains("cdep"), e.getMessage());
        }
    }

    @Test
    void defaultsAndName() {
        CdepProvider cdep = new CdepProvider();
        assertEquals("cdep", cdep.name());
        assertEquals(1.0, cdep.parameters().defaults().getDouble("lambda"), 0.0);
    }
}
