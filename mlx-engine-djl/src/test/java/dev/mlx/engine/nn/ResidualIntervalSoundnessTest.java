package dev.mlx.engine.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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
import dev.mlx.api.model.LayerSpec.BatchNormMode;
import dev.mlx.api.train.Interval;
import dev.mlx.api.train.IntervalPass;
import dev.mlx.engine.MlxEngine;
import dev.mlx.engine.testkit.SharedEngine;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * Property test of interval bound propagation through residual networks, as
 * {@link IntervalSoundnessTest} does for MLPs: on random small float64 networks built from
 * Conv2d (with and without bias), BatchNorm2d with running statistics (scales of both signs),
 * ReLU, residual blocks with identity and projection shortcuts, global average pooling, Dropout
 * and Linear, every sampled point of the masked box has its logits and its cross-entropy input
 * gradient inside the propagated intervals, outside training steps (dropout off) and inside them
 * (every dropout mask the sampled forward passes draw), with and without a MaxPool2d. The MaxPool
 * backward bound collapses to the exact gradient routing for a point box. Deliberately unsound
 * variants of the BatchNorm, residual, Dropout and MaxPool bounds are caught, so the test cannot
 * pass vacuously; and batch statistics, which have no sound bounds, are refused with the layer's
 * name.
 */
class ResidualIntervalSoundnessTest {
    private static final int NETS = 12;
    private static final int BATCH = 3;
    private static final int SAMPLES = 30;

    @Test
    void boundsContainEverySampledLogitAndInputGradientOutsideTraining() {
        SoundnessTally r = run(UnaryOperator.identity(), false, false);
        assertTrue(r.points() >= 20_000, "points checked: " + r.points());
        assertEquals(0, r.violations(), "sound bounds must contain every sampled value; " + r.example());
    }

    @Test
    void boundsContainEverySampledValueForEveryDropoutMaskDuringTraining() {
        SoundnessTally r = run(UnaryOperator.identity(), true, false);
        assertTrue(r.points() >= 20_000, "points checked: " + r.points());
        assertEquals(0, r.violations(), "sound bounds must contain every sampled value; " + r.example());
    }

    @Test
    void boundsThroughMaxPoolContainEverySampledLogitAndInputGradient() {
        SoundnessTally r = run(UnaryOperator.identity(), false, true);
        assertTrue(r.points() >= 20_000, "points checked: " + r.points());
        assertEquals(0, r.violations(), "sound bounds must contain every sampled value; " + r.example());
    }

    @Test
    void theCheckerCatchesAMaxPoolBackwardThatOnlyRoutesThroughTheCentresMaximum() {
        SoundnessTally r = run(layer -> layer instanceof MaxPool2dLayer pool ? new CentreRoutedMaxPool(pool) : layer, false,
                true);
        assertTrue(r.violations() > 0, "a MaxPool bound that ignores the other possible maxima must be detected");
    }

    @Test
    void maxPoolBackwardBoundOfAPointBoxIsTheExactGradientRouting() {
        MlxEngine engine = SharedEngine.get();
        int side = 7;
        Architecture arch = new Architecture(List.of(new LayerSpec.MaxPool2d(3, 2, 1), new LayerSpec.Flatten()));
        SplittableRandom random = new SplittableRandom(9);
        try (Network net = engine.networks().create(arch, new int[] {2, side, side}, 0, Map.of(), DataType.FLOAT64);
                NDManager m = engine.manager().newSubManager()) {
            double[] x = new double[2 * 2 * side * side];
            for (int i = 0; i < x.length; i++) {
                x[i] = random.nextDouble() * 2 - 1;
            }
            NDArray xs = m.create(x, new Shape(2, 2, side, side));
            int outputs = 2 * 4 * 4;
            double[] g = new double[2 * outputs];
            for (int i = 0; i < g.length; i++) {
                g[i] = random.nextDouble() * 2 - 1;
            }
            NDArray gs = m.create(g, new Shape(2, outputs));
            double[] exact = net.inputGradient(xs, z -> z.mul(gs)).gradient().toDoubleArray();
            Interval bound = net.intervalBounds().propagate(new Interval(xs, xs)).inputGradient(new Interval(gs, gs));
            assertArrayEquals(exact, bound.lower().toDoubleArray(), 1e-12);
            assertArrayEquals(exact, bound.upper().toDoubleArray(), 1e-12);
        }
    }

    @Test
    void theCheckerCatchesABatchNormRadiusScaledBySignedGamma() {
        SoundnessTally r = run(layer -> layer instanceof BatchNorm2dLayer bn ? new SignedBatchNorm(bn) : layer, false, false);
        assertTrue(r.violations() > 0, "an unsound BatchNorm bound must be detected");
    }

    @Test
    void theCheckerCatchesAResidualBackwardThatForgetsTheShortcut() {
        SoundnessTally r = run(layer -> layer instanceof ResidualLayer res ? new BodyOnlyBackward(res) : layer, false, false);
        assertTrue(r.violations() > 0, "an unsound residual backward bound must be detected");
    }

    @Test
    void theCheckerCatchesDropoutBoundsThatIgnoreTheMask() {
        SoundnessTally r = run(layer -> layer instanceof DropoutLayer d ? new IdentityIntervalDropout(d) : layer, true, false);
        assertTrue(r.violations() > 0, "dropout bounds that ignore the training mask must be detected");
    }

    @Test
    @SuppressWarnings("try") // a Network.TrainingScope is a mode switch: the body never names it, only its close() counts
    void batchStatisticsAreRefusedNamingTheLayer() {
        MlxEngine engine = SharedEngine.get();
        Architecture arch = new Architecture(List.of(new LayerSpec.Conv2d(1, 2, 3, 1, 1, false),
                new LayerSpec.Residual(List.of(new LayerSpec.Conv2d(2, 2, 3, 1, 1, false),
                        new LayerSpec.BatchNorm2d(2, BatchNormMode.TRAIN)), List.of()),
                new LayerSpec.MaxPool2d(2, 2, 0), new LayerSpec.Flatten(), new LayerSpec.Linear(8, 2)));
        try (Network net = engine.networks().create(arch, new int[] {1, 4, 4}, 1, Map.of(), DataType.FLOAT64);
                NDManager m = engine.manager().newSubManager()) {
            try (Network.TrainingScope training = net.trainingMode()) {
                UnsupportedCapabilityException e = assertThrows(UnsupportedCapabilityException.class,
                        net::intervalBounds);
                assertTrue(e.getMessage().contains("layer 1 (residual body layer 1: BatchNorm2d(2, train))"),
                        e.getMessage());
            }
            NDArray x = m.zeros(new Shape(2, 1, 4, 4), DataType.FLOAT64);
            IntervalPass pass = net.intervalBounds().propagate(new Interval(x, x.add(1)));
            Interval logits = pass.logits();
            assertTrue(logits.upper().sub(logits.lower()).min().getDouble() >= 0,
                    "outside training the same network is bounded");
            Interval eta = pass.inputGradient(new Interval(logits.lower(), logits.upper()));
            assertEquals(new Shape(2, 1, 4, 4), eta.lower().getShape());
        }
    }

    @Test
    void aLayerWithoutABackwardBoundInsideABlockIsRefusedWhenGradientBoundsAreAsked() {
        MlxEngine engine = SharedEngine.get();
        Architecture arch = new Architecture(List.of(new LayerSpec.Conv2d(1, 2, 3, 1, 1, false),
                new LayerSpec.Residual(List.of(new LayerSpec.Relu()), List.of()), new LayerSpec.Flatten(),
                new LayerSpec.Linear(32, 2)));
        try (Network base = engine.networks().create(arch, new int[] {1, 4, 4}, 1, Map.of(), DataType.FLOAT64);
                NDManager m = engine.manager().newSubManager()) {
            List<Layer> layers = new ArrayList<>(base.layersForTest());
            ResidualLayer block = (ResidualLayer) layers.get(1);
            layers.set(1, new ResidualLayer(List.of(new ForwardOnly(block.body().get(0))), List.of()));
            Network net = base.withLayersForTest(layers);
            NDArray x = m.zeros(new Shape(2, 1, 4, 4), DataType.FLOAT64);
            IntervalPass pass = net.intervalBounds().propagate(new Interval(x, x.add(1)));
            Interval logits = pass.logits();
            UnsupportedCapabilityException e = assertThrows(UnsupportedCapabilityException.class,
                    () -> pass.inputGradient(new Interval(logits.lower(), logits.upper())));
            assertTrue(e.getMessage().contains("layer 1 (residual body layer 0: forward-only ReLU)"), e.getMessage());
        }
    }

    /** A layer with a forward interval but no backward one (the capability the network checks). */
    private static final class ForwardOnly extends UnsoundLayer {
        ForwardOnly(Layer real) {
            super(real);
        }

        @Override
        public String describe() {
            return "forward-only " + real.describe();
        }

        @Override
        public boolean supportsBackwardIntervals() {
            return false;
        }

        @Override
        public Interval forwardInterval(Interval input) {
            return real.forwardInterval(input);
        }

        @Override
        public Interval backwardInterval(Interval g, Interval input) {
            throw new AssertionError("must not be called");
        }
    }

    private static Architecture randomArchitecture(SplittableRandom random, int channels, boolean maxPool) {
        int width = 2 + random.nextInt(3);
        int classes = 2 + random.nextInt(3);
        int stride = 1 + random.nextInt(2);
        List<LayerSpec> layers = new ArrayList<>();
        layers.add(new LayerSpec.Conv2d(channels, width, 3, 1, 1, random.nextBoolean()));
        layers.add(new LayerSpec.BatchNorm2d(width, BatchNormMode.EVAL));
        layers.add(new LayerSpec.Relu());
        if (maxPool) {
            layers.add(new LayerSpec.MaxPool2d(3, 2, 1));
        }
        layers.add(new LayerSpec.Residual(List.of(new LayerSpec.Conv2d(width, width, 3, 1, 1, false),
                new LayerSpec.BatchNorm2d(width, BatchNormMode.EVAL), new LayerSpec.Relu(),
                new LayerSpec.Conv2d(width, width, 3, 1, 1, false),
                new LayerSpec.BatchNorm2d(width, BatchNormMode.TRAIN)), List.of()));
        layers.add(new LayerSpec.Relu());
        int wider = width + 1;
        layers.add(new LayerSpec.Residual(List.of(new LayerSpec.Conv2d(width, wider, 3, stride, 1, false),
                new LayerSpec.BatchNorm2d(wider, BatchNormMode.EVAL)),
                List.of(new LayerSpec.Conv2d(width, wider, 1, stride, 0, false),
                        new LayerSpec.BatchNorm2d(wider, BatchNormMode.EVAL))));
        layers.add(new LayerSpec.Relu());
        layers.add(new LayerSpec.GlobalAvgPool2d());
        layers.add(new LayerSpec.Flatten());
        layers.add(new LayerSpec.Dropout(0.2 + 0.3 * random.nextDouble()));
        layers.add(new LayerSpec.Linear(wider, classes));
        return new Architecture(layers);
    }

    /**
     * @param training whether the sampled forward passes and the bounds run inside a training
     *     step (active dropout; the TRAIN-mode BatchNorm of the first block is then kept out, see
     *     {@link #batchStatisticsAreRefusedNamingTheLayer})
     * @param maxPool whether the networks contain a MaxPool2d after the stem
     */
    @SuppressWarnings("try") // a Network.TrainingScope is a mode switch: the body never names it, only its close() counts
    private SoundnessTally run(UnaryOperator<Layer> mutate, boolean training, boolean maxPool) {
        MlxEngine engine = SharedEngine.get();
        SplittableRandom random = new SplittableRandom(training ? 2027 : 2026);
        SoundnessTally tally = new SoundnessTally();
        int channels = 2;
        int side = 5;
        for (int n = 0; n < NETS; n++) {
            Architecture arch = randomArchitecture(random, channels, maxPool);
            if (training) {
                arch = withoutBatchStatistics(arch);
            }
            int[] shape = {channels, side, side};
            Map<String, float[]> values = batchNormValues(engine, arch, shape, random);
            try (Network base = engine.networks().create(arch, shape, n, values, DataType.FLOAT64);
                    NDManager m = engine.manager().newSubManager();
                    Network.TrainingScope scope = training ? base.trainingMode() : () -> { }) {
                List<Layer> layers = new ArrayList<>();
                for (Layer l : base.layersForTest()) {
                    layers.add(deep(l, mutate));
                }
                Network net = base.withLayersForTest(layers);
                double eps = 0.05 + random.nextDouble() * (n % 3 == 0 ? 1.0 : 0.3);
                int classes = ((LayerSpec.Linear) arch.layers().get(arch.layers().size() - 1)).out();
                tally.check(net, m, random, new Shape(BATCH, channels, side, side), classes, eps, SAMPLES, "");
            }
        }
        return tally;
    }

    /** The architecture with every TRAIN-mode BatchNorm switched to EVAL (batch statistics have no bounds). */
    private static Architecture withoutBatchStatistics(Architecture arch) {
        return new Architecture(arch.layers().stream().map(ResidualIntervalSoundnessTest::evalOnly).toList());
    }

    private static LayerSpec evalOnly(LayerSpec spec) {
        if (spec instanceof LayerSpec.BatchNorm2d b) {
            return new LayerSpec.BatchNorm2d(b.channels(), b.eps(), b.momentum(), BatchNormMode.EVAL);
        }
        if (spec instanceof LayerSpec.Residual r) {
            return new LayerSpec.Residual(r.body().stream().map(ResidualIntervalSoundnessTest::evalOnly).toList(),
                    r.shortcut().stream().map(ResidualIntervalSoundnessTest::evalOnly).toList());
        }
        return spec;
    }

    /** Random BatchNorm scales of both signs, shifts and running statistics. */
    private static Map<String, float[]> batchNormValues(MlxEngine engine, Architecture arch, int[] shape,
            SplittableRandom random) {
        Map<String, float[]> values = new HashMap<>();
        try (Network probe = engine.networks().create(arch, shape, 0, Map.of(), DataType.FLOAT64)) {
            for (Parameter p : probe.parameters()) {
                String name = p.name();
                boolean bn = name.endsWith("running_mean") || name.endsWith("running_var")
                        || probe.parameters().stream().anyMatch(q -> q.name().equals(
                                name.substring(0, name.lastIndexOf('.')) + ".running_mean"));
                if (!bn || name.endsWith("num_batches_tracked")) {
                    continue;
                }
                float[] v = new float[Math.toIntExact(p.array().size())];
                for (int i = 0; i < v.length; i++) {
                    double u = random.nextDouble();
                    v[i] = (float) (name.endsWith("running_var") ? 0.2 + u : 2 * (2 * u - 1));
                }
                values.put(name, v);
            }
        }
        return values;
    }

    /** Applies {@code mutate} to a layer and, inside residual blocks, to every layer of both branches. */
    private static Layer deep(Layer layer, UnaryOperator<Layer> mutate) {
        if (layer instanceof ResidualLayer res) {
            Layer rebuilt = new ResidualLayer(res.body().stream().map(l -> deep(l, mutate)).toList(),
                    res.shortcut().stream().map(l -> deep(l, mutate)).toList());
            return mutate.apply(rebuilt);
        }
        return mutate.apply(layer);
    }

    /** Unsound: radius times {@code a} instead of {@code |a|}. */
    private static final class SignedBatchNorm extends UnsoundLayer {
        private final BatchNorm2dLayer bn;

        SignedBatchNorm(BatchNorm2dLayer bn) {
            super(bn);
            this.bn = bn;
        }

        @Override
        public Interval forwardInterval(Interval input) {
            NDArray mu = input.centre();
            NDArray a = bn.scale(mu);
            NDArray muOut = mu.mul(a).add(bn.shift(mu, a));
            NDArray r = input.radius().mul(a);
            return new Interval(muOut.sub(r), muOut.add(r));
        }

        @Override
        public Interval backwardInterval(Interval g, Interval input) {
            return bn.backwardInterval(g, input);
        }
    }

    /** Unsound: the backward bound of a residual block that only goes through the body. */
    private static final class BodyOnlyBackward extends UnsoundLayer {
        private final ResidualLayer res;

        BodyOnlyBackward(ResidualLayer res) {
            super(res);
            this.res = res;
        }

        @Override
        public Interval forwardInterval(Interval input) {
            return res.forwardInterval(input);
        }

        @Override
        public Interval backwardInterval(Interval g, Interval input) {
            List<IntervalStep> steps = new ArrayList<>();
            Interval current = input;
            for (Layer l : res.body()) {
                IntervalStep step = l.intervalStep(current);
                steps.add(step);
                current = step.output();
            }
            Interval back = g;
            for (int i = steps.size() - 1; i >= 0; i--) {
                back = steps.get(i).backward().apply(back);
            }
            return back;
        }
    }

    /** Unsound: routes the cotangent only to the maxima of the box's centre. */
    private static final class CentreRoutedMaxPool extends UnsoundLayer {
        private final MaxPool2dLayer pool;

        CentreRoutedMaxPool(MaxPool2dLayer pool) {
            super(pool);
            this.pool = pool;
        }

        @Override
        public Interval forwardInterval(Interval input) {
            return pool.forwardInterval(input);
        }

        @Override
        public Interval backwardInterval(Interval g, Interval input) {
            NDArray centre = input.centre();
            return pool.backwardInterval(g, new Interval(centre, centre));
        }
    }

    /** Unsound during training: the identity bounds of evaluation mode, whatever the mask. */
    private static final class IdentityIntervalDropout extends UnsoundLayer {
        IdentityIntervalDropout(DropoutLayer real) {
            super(real);
        }

        @Override
        public Interval forwardInterval(Interval input) {
            return input;
        }

        @Override
        public Interval backwardInterval(Interval g, Interval input) {
            return g;
        }
    }
}
