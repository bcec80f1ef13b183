package dev.mlx.engine.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import dev.mlx.api.data.DataSplit;
import dev.mlx.api.error.MlxException;
import dev.mlx.api.train.Batch;
import dev.mlx.api.train.Regularizer;
import dev.mlx.api.train.RegularizerProvider;
import dev.mlx.api.train.TrainingContext;
import dev.mlx.engine.MlxEngine;
import dev.mlx.engine.data.Batches;
import dev.mlx.engine.io.Checkpoints;
import dev.mlx.engine.method.CertR4Provider;
import dev.mlx.engine.method.ErmProvider;
import dev.mlx.engine.method.RrrProvider;
import dev.mlx.engine.nn.Network;
import dev.mlx.engine.nn.Parameter;
import dev.mlx.engine.testkit.SharedEngine;
import dev.mlx.engine.testkit.TinyData;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Gradient accumulation over fragments: the summed, example-weighted fragment gradients are the
 * full-batch gradient (float64, before any optimiser step), a fragmented training step lands on the
 * same parameters, bad settings are refused, and no NDArray outlives its fragment.
 */
class GradientAccumulatorTest {
    private static final DataSplit DATA = TinyData.decoy(23, 8, 3, false, 5);

    private static RegularizerProvider provider(String name) {
        return switch (name) {
            case "erm" -> new ErmProvider();
            case "rrr" -> new RrrProvider();
            case "cert-r4" -> new CertR4Provider();
            default -> throw new IllegalArgumentException(name);
        };
    }

    /** The step's gradient in float64 with the given number of fragments, then zeroed again. */
    private static Accumulated accumulate(Network net, Regularizer regularizer, int fragments) {
        MlxEngine engine = SharedEngine.get();
        int[] order = Batches.range(DATA.size());
        try (NDManager step = engine.manager().newSubManager()) {
            TrainingContext context = new TrainingContext(0, 1, 0, DATA.numClasses(), 17, step);
            GradientAccumulator.StepResult result = new GradientAccumulator(fragments).accumulate(net, regularizer,
                    DATA.size(), (a, b, manager) -> float64(Batches.slice(DATA, order, a, b, manager)), context);
            List<double[]> grads = new ArrayList<>();
            for (Parameter p : net.trainableParameters()) {
                try (NDArray g = p.array().getGradient()) {
                    grads.add(g.toDoubleArray());
                }
                JniUtils.zeroGrad((PtNDArray) p.array());
            }
            return new Accumulated(result, grads);
        }
    }

    private record Accumulated(GradientAccumulator.StepResult result, List<double[]> gradients) {}

    private static Batch float64(Batch b) {
        return new Batch(b.inputs().toType(DataType.FLOAT64, false), b.labels(), b.masks().toType(DataType.FLOAT64,
                false));
    }

    @ParameterizedTest(name = "{0}, {1} fragments")
    @CsvSource({"erm, 4", "rrr, 4", "rrr, 5", "cert-r4, 4", "erm, 23"})
    void theAccumulatedGradientIsTheFullBatchGradient(String method, int fragments) {
        RegularizerProvider p = provider(method);
        Regularizer regularizer = p.create(p.parameters().defaults());
        try (Network net = SharedEngine.get().networks().create(TrainerTest.MLP, new int[] {1, 8, 8}, 3, Map.of(),
                DataType.FLOAT64)) {
            Accumulated whole = accumulate(net, regularizer, 1);
            Accumulated split = accumulate(net, regularizer, fragments);
            assertEquals(1, whole.result().fragments());
            assertEquals(fragments, split.result().fragments());
            double largest = 0;
            for (int i = 0; i < whole.gradients().size(); i++) {
                double[] g1 = whole.gradients().get(i);
                double[] gk = split.gradients().get(i);
                for (int j = 0; j < g1.length; j++) {
                    largest = Math.max(largest, Math.abs(g1[j]));
                    assertEquals(g1[j], gk[j], 1e-5 * Math.max(1, Math.abs(g1[j])),
                            method + ": gradient of parameter " + i + "[" + j + "]");
                }
            }
            assertTrue(largest > 1e-3, "the gradient is not trivially zero: " + largest);
            assertEquals(whole.result().taskLoss(), split.result().taskLoss(), 1e-9, "task loss");
            assertEquals(whole.result().penalty(), split.result().penalty(), 1e-9, "penalty");
            assertEquals(whole.result().correct(), split.result().correct(), "correct predictions");
            if (!method.equals("erm")) {
                assertTrue(whole.result().penalty() > 0, "the penalty takes part: " + whole.result().penalty());
            }
        }
    }

    @Test
    void oneTrainingStepWithTwoFragmentsReachesTheSameParameters() {
        DataSplit train = TinyData.decoy(60, 8, 3, false, 1);
        Map<String, float[]> one = oneStep(train, 1);
        Map<String, float[]> two = oneStep(train, 2);
        Map<String, float[]> start;
        try (Network net = SharedEngine.get().networks().create(TrainerTest.MLP, new int[] {1, 8, 8}, 4)) {
            start = Checkpoints.snapshot(net);
        }
        for (String name : one.keySet()) {
            assertArrayEquals(one.get(name), two.get(name), 1e-5f, name);
        }
        assertNotEquals(start.get("layer1.weight")[0], one.get("layer1.weight")[0], "the step changed the weights");
    }

    private static Map<String, float[]> oneStep(DataSplit train, int fragments) {
        RegularizerProvider erm = new ErmProvider();
        try (Network net = SharedEngine.get().networks().create(TrainerTest.MLP, new int[] {1, 8, 8}, 4)) {
            // lr 1e-3: Adam's first step moves every parameter with a non-zero gradient by about lr
            List<EpochMetrics> h = new Trainer(new TrainingConfig(1, 60, 1e-3, 0, 4, fragments)).train(net, train,
                    null, erm.create(erm.parameters().defaults()), new TrainingListener() {});
            assertEquals(1, h.size());
            return Checkpoints.snapshot(net);
        }
    }

    @Test
    void fragmentsAreContiguousAndNearlyEqual() {
        assertArrayEquals(new int[] {0, 5, 11, 17, 23}, GradientAccumulator.boundaries(23, 4));
        assertArrayEquals(new int[] {0, 10}, GradientAccumulator.boundaries(10, 1));
        // a last, partial batch smaller than the fragment count: one example per fragment
        assertArrayEquals(new int[] {0, 1, 2, 3}, GradientAccumulator.boundaries(3, 8));
        for (int n = 1; n < 40; n++) {
            for (int k = 1; k < 12; k++) {
                int[] b = GradientAccumulator.boundaries(n, k);
                assertEquals(Math.min(n, k) + 1, b.length);
                assertEquals(0, b[0]);
                assertEquals(n, b[b.length - 1]);
                for (int i = 1; i < b.length; i++) {
                    int size = b[i] - b[i - 1];
                    assertTrue(size == n / (b.length - 1) || size == (n + b.length - 2) / (b.length - 1),
                            n + " examples in " + k + " fragments: size " + size);
                }
            }
        }
    }

    @Test
    void fragmentSeedsAreDeterministicAndDistinctAndTheFirstIsTheStepSeed() {
        assertEquals(99L, GradientAccumulator.fragmentSeed(99L, 0));
        Set<Long> seen = new HashSet<>();
        for (int k = 0; k < 64; k++) {
            long s = GradientAccumulator.fragmentSeed(99L, k);
            assertEquals(s, GradientAccumulator.fragmentSeed(99L, k));
            assertTrue(seen.add(s), "fragment " + k + " repeats a seed");
        }
    }

    @Test
    void eachFragmentGetsItsOwnSeedAndManager() {
        List<Long> seeds = new ArrayList<>();
        List<NDManager> managers = new ArrayList<>();
        Regularizer recording = (model, batch, ctx) -> {
            seeds.add(ctx.seed());
            managers.add(ctx.manager());
            return ctx.manager().create(0f);
        };
        try (Network net = SharedEngine.get().networks().create(TrainerTest.MLP, new int[] {1, 8, 8}, 3);
                NDManager step = SharedEngine.get().manager().newSubManager()) {
            int[] order = Batches.range(DATA.size());
            new GradientAccumulator(3).accumulate(net, recording, 10, (a, b, m) -> Batches.slice(DATA, order, a, b, m),
                    new TrainingContext(0, 1, 0, 3, 5, step));
            for (Parameter p : net.trainableParameters()) {
                JniUtils.zeroGrad((PtNDArray) p.array());
            }
        }
        assertEquals(List.of(5L, GradientAccumulator.fragmentSeed(5, 1), GradientAccumulator.fragmentSeed(5, 2)),
                seeds);
        assertEquals(3, new HashSet<>(managers).size());
        managers.forEach(m -> assertTrue(!m.isOpen(), "a fragment manager is closed after its backward pass"));
    }

    @Test
    void invalidFragmentCountsAreRefusedWithAReadableMessage() {
        MlxException zero = assertThrows(MlxException.class, () -> new TrainingConfig(1, 10, 0.1, 0, 0, 0));
        assertTrue(zero.getMessage().contains("fragments must be >= 1"), zero.getMessage());
        MlxException tooMany = assertThrows(MlxException.class, () -> new TrainingConfig(1, 10, 0.1, 0, 0, 11));
        assertTrue(tooMany.getMessage().contains("fragments (11)") && tooMany.getMessage().contains("batch size (10)"),
                tooMany.getMessage());
        assertEquals(10, new TrainingConfig(1, 10, 0.1, 0, 0, 10).fragments());
        assertEquals(1, new TrainingConfig(1, 10, 0.1, 0, 0).fragments());
        assertEquals(4, new TrainingConfig(1, 10, 0.1, 0, 0, 3).fragmentSize());
    }

    @Test
    void liveNdArraysDoNotGrowWithSteps() {
        MlxEngine engine = SharedEngine.get();
        RegularizerProvider rrr = new RrrProvider();
        int rootBefore = engine.manager().getManagedArrays().size();
        try (Network net = engine.networks().create(TrainerTest.MLP, new int[] {1, 8, 8}, 6)) {
            int networkBefore = net.manager().getManagedArrays().size();
            List<Integer> perStep = new ArrayList<>();
            new Trainer(new TrainingConfig(3, 40, 1e-3, 0, 6, 4)).train(net, TinyData.decoy(200, 8, 3, false, 6),
                    null, rrr.create(rrr.parameters().defaults()), new TrainingListener() {
                        @Override
                        public void onStep(int epoch, int step, int steps,
                                java.util.function.DoubleSupplier meanLoss) {
                            perStep.add(net.manager().getManagedArrays().size());
                        }
                    });
            assertEquals(15, perStep.size());
            assertEquals(1, new HashSet<>(perStep).size(), "live NDArrays per step: " + perStep);
            // what stays: Adam's two moment buffers per parameter, for the network's lifetime
            assertEquals(networkBefore + 2 * net.trainableParameters().size(), net.manager().getManagedArrays().size(),
                    "NDArrays left on the network's manager besides Adam's moments");
        }
        assertEquals(rootBefore, engine.manager().getManagedArrays().size(), "NDArrays left on the root manager");
    }
}
