package dev.mlx.engine.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.mlx.api.model.Architecture;
import dev.mlx.api.model.LayerSpec;
import dev.mlx.api.train.Interval;
import dev.mlx.engine.MlxEngine;
import dev.mlx.engine.testkit.SharedEngine;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * Property test: for random small ReLU networks, inputs, masks and radii, every sampled point of
 * the masked box {@code [x - eps*m, x + eps*m]} has its logits inside the logit interval and its
 * loss input gradient inside {@code [eta_L, eta_U]}. The same checker must find violations when a
 * bound is deliberately made unsound, so the test cannot pass vacuously.
 */
class IntervalSoundnessTest {
    private static final int NETS = 24;
    private static final int BATCH = 6;
    private static final int SAMPLES = 40;

    @Test
    void boundsContainEverySampledLogitAndInputGradient() {
        SoundnessTally r = run(UnaryOperator.identity());
        assertTrue(r.points() >= NETS * BATCH * SAMPLES, "points checked: " + r.points());
        assertEquals(0, r.violations(), "sound bounds must contain every sampled value; " + r.example());
    }

    @Test
    void theCheckerCatchesALinearRadiusComputedWithWInsteadOfAbsW() {
        SoundnessTally r = run(layer -> layer instanceof LinearLayer lin ? new SignedRadiusLinear(lin) : layer);
        assertTrue(r.violations() > 0, "an unsound Linear bound must be detected");
    }

    @Test
    void theCheckerCatchesAReluBackwardThatIgnoresTheUndecidedUnits() {
        SoundnessTally r = run(layer -> layer instanceof ReluLayer ? new OptimisticRelu() : layer);
        assertTrue(r.violations() > 0, "an unsound ReLU backward bound must be detected");
    }

    private SoundnessTally run(UnaryOperator<Layer> mutate) {
        MlxEngine engine = SharedEngine.get();
        SplittableRandom random = new SplittableRandom(2026);
        SoundnessTally tally = new SoundnessTally();
        for (int n = 0; n < NETS; n++) {
            int in = 3 + random.nextInt(6);
            int hidden = 2 + random.nextInt(8);
            int classes = 2 + random.nextInt(4);
            List<LayerSpec> specs = new ArrayList<>(List.of(new LayerSpec.Flatten(), new LayerSpec.Linear(in, hidden),
                    new LayerSpec.Relu()));
            if (n % 2 == 1) {
                int hidden2 = 2 + random.nextInt(6);
                specs.addAll(List.of(new LayerSpec.Linear(hidden, hidden2), new LayerSpec.Relu()));
                hidden = hidden2;
            }
            specs.add(new LayerSpec.Linear(hidden, classes));
            double eps = 0.05 + random.nextDouble() * (n % 3 == 0 ? 2.0 : 0.5);
            try (Network base = engine.networks().create(new Architecture(specs), new int[] {in}, n, Map.of(),
                    DataType.FLOAT64); NDManager m = engine.manager().newSubManager()) {
                List<Layer> layers = new ArrayList<>();
                for (Layer l : base.layersForTest()) {
                    layers.add(mutate.apply(l));
                }
                Network net = base.withLayersForTest(layers);
                tally.check(net, m, random, new Shape(BATCH, in), classes, eps, SAMPLES, "");
            }
        }
        return tally;
    }

    /** A deliberately unsound Linear: radius r W^T instead of r |W|^T (and likewise backward). */
    private static final class SignedRadiusLinear extends UnsoundLayer {
        SignedRadiusLinear(LinearLayer linear) {
            super(linear);
        }

        @Override
        public Interval forwardInterval(Interval input) {
            NDArray w = real.parameters().get(0).array();
            NDArray mu = real.forward(input.centre());
            NDArray r = input.radius().matMul(w.transpose()).abs().mul(0.5);
            return new Interval(mu.sub(r), mu.add(r));
        }

        @Override
        public Interval backwardInterval(Interval outputGradient, Interval input) {
            return real.backwardInterval(outputGradient, input);
        }
    }

    /** A deliberately unsound ReLU backward: treats undecided units as always active. */
    private static final class OptimisticRelu extends UnsoundLayer {
        OptimisticRelu() {
            super(new ReluLayer());
        }

        @Override
        public Interval forwardInterval(Interval input) {
            return real.forwardInterval(input);
        }

        @Override
        public Interval backwardInterval(Interval g, Interval input) {
            NDArray on = input.upper().reshape(g.lower().getShape()).gt(0).toType(g.lower().getDataType(), false);
            return new Interval(g.lower().mul(on), g.upper().mul(on));
        }
    }
}
