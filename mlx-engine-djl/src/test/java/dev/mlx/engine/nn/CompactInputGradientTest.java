package dev.mlx.engine.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.mlx.api.model.Architecture;
import dev.mlx.api.model.LayerSpec;
import dev.mlx.api.train.InputGradient;
import dev.mlx.api.train.Losses;
import dev.mlx.api.train.Model;
import dev.mlx.engine.MlxEngine;
import dev.mlx.engine.testkit.SharedEngine;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * {@link Network#maskedInputGradient}'s compact path (a linear first layer differentiated with
 * respect to the masked columns only): the gradient equals the full input gradient on the masked
 * features and is zero elsewhere; the logits equal the forward pass; the parameter gradients of an
 * RRR-style penalty built on it equal the dense path's and finite differences; copies of a batch
 * that differ only on the mask (Rand-R4's noisy copies) share the product of the rest and give the
 * same values and parameter gradients as the dense path; a mask covering
 * many features and a call nested in {@link Model#gradient} take the full path with the same
 * result.
 */
class CompactInputGradientTest {
    private static final int FEATURES = 40;
    private static final int BATCH = 6;
    private static final int[] PATCHES = {0, 17, 36};

    @Test
    void theCompactGradientIsTheFullOneOnTheMaskedFeaturesAndZeroElsewhere() {
        forNetworks((net, m, random) -> {
            Shape shape = new Shape(BATCH, 1, FEATURES);
            NDArray x = uniform(m, random, shape);
            NDArray mask = patchMask(m, random, shape, 0.6);
            NDArray y = m.create(random.longs(BATCH, 0, 3).toArray());
            InputGradient full = net.inputGradient(x, z -> Losses.perSampleCrossEntropy(z, y));
            InputGradient compact = net.maskedInputGradient(x, mask, z -> Losses.perSampleCrossEntropy(z, y));
            assertEquals(shape, compact.gradient().getShape());
            assertArrayEquals(full.logits().toDoubleArray(), compact.logits().toDoubleArray(), 1e-12, "logits");
            NDArray read = mask.neq(0).toType(DataType.FLOAT64, false);
            assertArrayEquals(full.gradient().mul(read).toDoubleArray(), compact.gradient().toDoubleArray(), 1e-12,
                    "masked gradient");
            assertTrue(compact.gradient().abs().max().getDouble() > 1e-6, "the gradient is not trivially zero");

            // a mask over most features takes the full path: the same contract
            NDArray wide = m.ones(shape, DataType.FLOAT64).mul(mask.eq(0).toType(DataType.FLOAT64, false));
            InputGradient widePath = net.maskedInputGradient(x, wide, z -> Losses.perSampleCrossEntropy(z, y));
            assertArrayEquals(full.gradient().mul(wide).toDoubleArray(), widePath.gradient().toDoubleArray(), 1e-12,
                    "wide mask");

            // nested in Model.gradient (as Adv-R4's ascent is): differentiable in the inputs, the same values
            NDArray outer = net.gradient(x, p -> net.maskedInputGradient(p, mask,
                    z -> Losses.perSampleCrossEntropy(z, y)).gradient().mul(mask).square().sum());
            NDArray outerDense = DenseFirstLayer.of(net).gradient(x, p -> DenseFirstLayer.of(net).inputGradient(p,
                    z -> Losses.perSampleCrossEntropy(z, y)).gradient().mul(mask).square().sum());
            assertArrayEquals(outerDense.toDoubleArray(), outer.toDoubleArray(), 1e-12, "nested");
        });
    }

    @Test
    void parameterGradientsOfAnRrrPenaltyMatchTheDensePathAndFiniteDifferences() {
        forNetworks((net, m, random) -> {
            Shape shape = new Shape(BATCH, 1, FEATURES);
            NDArray x = uniform(m, random, shape);
            NDArray mask = patchMask(m, random, shape, 0.5);
            NDArray y = m.create(random.longs(BATCH, 0, 3).toArray());
            Function<Model, NDArray> penalty = model -> model.maskedInputGradient(x, mask,
                    z -> Losses.perSampleCrossEntropy(z, y)).gradient().mul(mask).square().sum();
            double[] compact = PenaltyGradients.autograd(net, penalty);
            double[] dense = PenaltyGradients.autograd(DenseFirstLayer.of(net), model -> model.inputGradient(x,
                    z -> Losses.perSampleCrossEntropy(z, y)).gradient().mul(mask).square().sum());
            assertArrayEquals(dense, compact, 1e-10, "parameter gradients, compact against dense");

            int checked = PenaltyGradients.checkAgainstFiniteDifferences(net, penalty, compact, 3, random, m);
            assertTrue(checked >= 12, "entries checked: " + checked);
        });
    }

    @Test
    void copiesThatDifferOnlyOnTheMaskShareTheRestAndMatchTheDensePath() {
        forNetworks((net, m, random) -> {
            Shape shape = new Shape(BATCH, 1, FEATURES);
            int copies = 3;
            NDArray x = uniform(m, random, shape);
            NDArray mask = patchMask(m, random, shape, 0.8);
            // noisy copies on the masked features only, then the clean batch: Rand-R4's layout
            NDArray noise = uniform(m, random, new Shape(copies - 1, BATCH, 1, FEATURES)).mul(2);
            NDArray inputs = ai.djl.ndarray.NDArrays.concat(new ai.djl.ndarray.NDList(
                    noise.mul(mask).add(x).reshape(new Shape((copies - 1) * BATCH, 1, FEATURES)), x), 0);
            NDArray tiled = mask.tile(new long[] {copies, 1, 1});
            NDArray y = m.create(random.longs(copies * BATCH, 0, 3).toArray());
            Function<Model, NDArray> shared = model -> model.maskedInputGradient(inputs, mask, copies,
                    z -> Losses.perSampleCrossEntropy(z, y)).gradient().mul(tiled).square().sum();
            InputGradient g = net.maskedInputGradient(inputs, mask, copies, z -> Losses.perSampleCrossEntropy(z, y));
            InputGradient full = DenseFirstLayer.of(net).inputGradient(inputs, z -> Losses.perSampleCrossEntropy(z, y));
            assertArrayEquals(full.logits().toDoubleArray(), g.logits().toDoubleArray(), 1e-12, "logits");
            assertArrayEquals(full.gradient().mul(tiled.neq(0).toType(DataType.FLOAT64, false)).toDoubleArray(),
                    g.gradient().toDoubleArray(), 1e-12, "masked gradient of every copy");
            double[] dense = PenaltyGradients.autograd(DenseFirstLayer.of(net), model -> model.inputGradient(inputs,
                    z -> Losses.perSampleCrossEntropy(z, y)).gradient().mul(tiled).square().sum());
            assertArrayEquals(dense, PenaltyGradients.autograd(net, shared), 1e-10, "parameter gradients");
        });
    }

    @FunctionalInterface
    private interface NetCheck {
        void check(Network net, NDManager m, SplittableRandom random);
    }

    private static void forNetworks(NetCheck check) {
        MlxEngine engine = SharedEngine.get();
        SplittableRandom random = new SplittableRandom(91);
        for (int n = 0; n < 4; n++) {
            int hidden = 5 + random.nextInt(8);
            List<LayerSpec> specs = new ArrayList<>(List.of(new LayerSpec.Flatten(),
                    new LayerSpec.Linear(FEATURES, hidden), new LayerSpec.Relu()));
            if (n % 2 == 1) {
                specs.addAll(List.of(new LayerSpec.Linear(hidden, 7), new LayerSpec.Relu()));
                hidden = 7;
            }
            specs.add(new LayerSpec.Linear(hidden, 3));
            try (Network net = engine.networks().create(new Architecture(specs), new int[] {1, FEATURES}, n,
                    Map.of(), DataType.FLOAT64); NDManager m = engine.manager().newSubManager()) {
                check.check(net, m, random);
            }
        }
    }

    private static NDArray uniform(NDManager m, SplittableRandom random, Shape shape) {
        return m.create(random.doubles(shape.size(), -1, 1).toArray(), shape);
    }

    /** One 3-feature patch per example at one of three places, one soft entry of value {@code soft}. */
    private static NDArray patchMask(NDManager m, SplittableRandom random, Shape shape, double soft) {
        double[] mask = new double[Math.toIntExact(shape.size())];
        for (int b = 0; b < BATCH; b++) {
            int start = PATCHES[random.nextInt(PATCHES.length)];
            for (int f = start; f < start + 3 && f < FEATURES; f++) {
                mask[b * FEATURES + f] = f == start ? soft : 1;
            }
        }
        return m.create(mask, shape);
    }
}
