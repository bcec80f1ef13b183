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
import dev.mlx.api.train.Interval;
import dev.mlx.api.train.IntervalPass;
import dev.mlx.api.train.Losses;
import dev.mlx.engine.MlxEngine;
import dev.mlx.engine.method.CrossEntropyBounds;
import dev.mlx.engine.testkit.SharedEngine;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The compact interval products of a linear first layer (used when a masked box moves few
 * features, as Decoy-MNIST's patch does): the logit bounds, the masked input-gradient bounds and
 * the parameter gradients of a Cert-R4-style penalty equal those of the dense products (the same
 * network with its first layer hidden behind a wrapper, which the compact path does not
 * recognise), also for a masked box given with its exact centre, before and after a forward pass
 * on the same batch whose first-layer product the box then reuses (the gradient of a training
 * step's CE plus penalty is the sum of both), and every sampled point of the box stays inside the
 * compact bounds.
 */
class CompactIntervalTest {
    private static final int FEATURES = 48;
    private static final int BATCH = 5;
    /** Candidate patch positions, each 3 features wide: at most 4 x 3 = 12 of 48 columns move (25 %). */
    private static final int[] PATCHES = {0, 13, 30, 45};

    @Test
    void compactBoundsEqualTheDenseOnesAndContainEverySampledPoint() {
        MlxEngine engine = SharedEngine.get();
        SplittableRandom random = new SplittableRandom(77);
        long sampled = 0;
        for (int n = 0; n < 8; n++) {
            int hidden = 4 + random.nextInt(12);
            int classes = 2 + random.nextInt(5);
            List<LayerSpec> specs = new ArrayList<>(List.of(new LayerSpec.Flatten(),
                    new LayerSpec.Linear(FEATURES, hidden), new LayerSpec.Relu()));
            if (n % 2 == 1) {
                specs.addAll(List.of(new LayerSpec.Linear(hidden, 6), new LayerSpec.Relu()));
                hidden = 6;
            }
            specs.add(new LayerSpec.Linear(hidden, classes));
            double eps = 0.1 + random.nextDouble();
            try (Network compact = engine.networks().create(new Architecture(specs), new int[] {1, FEATURES}, n,
                    Map.of(), DataType.FLOAT64); NDManager m = engine.manager().newSubManager()) {
                Network dense = DenseFirstLayer.of(compact);
                double[] x = new double[BATCH * FEATURES];
                double[] mask = new double[x.length];
                for (int b = 0; b < BATCH; b++) {
                    int start = PATCHES[random.nextInt(PATCHES.length)];
                    for (int f = 0; f < FEATURES; f++) {
                        x[b * FEATURES + f] = random.nextDouble() * 2 - 1;
                        // soft and hard mask values inside the patch, as the Plant dataset's soft masks
                        mask[b * FEATURES + f] = f >= start && f < start + 3 ? (f == start ? 0.7 : 1) : 0;
                    }
                }
                Shape shape = new Shape(BATCH, 1, FEATURES);
                NDArray xs = m.create(x, shape);
                NDArray ms = m.create(mask, shape);
                NDArray ys = m.create(random.longs(BATCH, 0, classes).toArray());

                Interval[] c = bounds(compact, xs, ms, ys, eps);
                Interval[] d = bounds(dense, xs, ms, ys, eps);
                // the masked box with its exact centre, before and after a forward pass on the same batch
                // (whose first-layer product it then reuses)
                Interval[] boxed = boxBounds(compact, xs, ms, ys, eps);
                compact.logits(xs);
                Interval[] reused = boxBounds(compact, xs, ms, ys, eps);
                for (Interval[] other : List.of(c, boxed, reused)) {
                    for (int k = 0; k < 2; k++) {
                        assertClose(d[k].lower(), other[k].lower(), "lower bound " + k);
                        assertClose(d[k].upper(), other[k].upper(), "upper bound " + k);
                    }
                }
                assertEquals(shape, c[1].lower().getShape(), "the masked bounds have the inputs' shape");
                assertTrue(c[1].upper().sub(c[1].lower()).max().getDouble() > 1e-6, "the bounds are not trivial");

                double[] expected = parameterGradients(dense, xs, ms, ys, eps);
                assertArrayEquals(expected, parameterGradients(compact, xs, ms, ys, eps), 1e-10,
                        "parameter gradients of the penalty");
                // a training step's use: CE on the forward pass plus the penalty on the box around the same batch
                double[] ce = PenaltyGradients.autograd(dense, model -> Losses.perSampleCrossEntropy(
                        model.logits(xs), ys).sum());
                double[] step = PenaltyGradients.autograd(compact, model -> {
                    NDArray task = Losses.perSampleCrossEntropy(model.logits(xs), ys).sum();
                    Interval eta = boxBounds(compact, xs, ms, ys, eps)[1];
                    return task.add(eta.lower().abs().add(eta.upper().abs()).sum());
                });
                for (int i = 0; i < step.length; i++) {
                    assertEquals(ce[i] + expected[i], step[i], 1e-10, "step gradient " + i);
                }

                double[] zl = c[0].lower().toDoubleArray();
                double[] zu = c[0].upper().toDoubleArray();
                double[] el = c[1].lower().toDoubleArray();
                double[] eu = c[1].upper().toDoubleArray();
                for (int s = 0; s < 20; s++) {
                    double[] point = new double[x.length];
                    for (int i = 0; i < x.length; i++) {
                        double u = s < 2 ? (s == 0 ? -1 : 1) : random.nextDouble() * 2 - 1;
                        point[i] = x[i] + eps * mask[i] * u;
                    }
                    InputGradient g = compact.inputGradient(m.create(point, shape),
                            z -> Losses.perSampleCrossEntropy(z, ys));
                    double[] z = g.logits().toDoubleArray();
                    for (int i = 0; i < z.length; i++) {
                        assertTrue(z[i] >= zl[i] - 1e-9 && z[i] <= zu[i] + 1e-9, "logit " + z[i] + " outside ["
                                + zl[i] + ", " + zu[i] + "]");
                    }
                    double[] grad = g.gradient().toDoubleArray();
                    for (int i = 0; i < grad.length; i++) {
                        double masked = grad[i] * mask[i];
                        assertTrue(masked >= el[i] - 1e-9 && masked <= eu[i] + 1e-9, "masked input gradient "
                                + masked + " outside [" + el[i] + ", " + eu[i] + "] at " + i);
                        sampled++;
                    }
                }
            }
        }
        assertTrue(sampled >= 8 * 20 * BATCH * FEATURES, "points checked: " + sampled);
    }

    /** {@link #bounds} through {@link dev.mlx.api.train.IntervalBounds#propagateMaskedBox} (the exact centre). */
    private static Interval[] boxBounds(Network net, NDArray x, NDArray mask, NDArray y, double eps) {
        IntervalPass pass = net.intervalBounds().propagateMaskedBox(x, mask, eps);
        Interval eta = pass.maskedInputGradient(CrossEntropyBounds.logitGradient(pass.logits(), y), mask);
        return new Interval[] {pass.logits(), eta};
    }

    /** @return the logit bounds and the masked input-gradient bounds over the masked box */
    private static Interval[] bounds(Network net, NDArray x, NDArray mask, NDArray y, double eps) {
        IntervalPass pass = net.intervalBounds().propagate(Interval.maskedBox(x, mask, eps));
        Interval eta = pass.maskedInputGradient(CrossEntropyBounds.logitGradient(pass.logits(), y), mask);
        return new Interval[] {pass.logits(), eta};
    }

    /** The gradients of {@code sum(|eta_L| + |eta_U|)} (Cert-R4's bounds form) with respect to every parameter. */
    private static double[] parameterGradients(Network net, NDArray x, NDArray mask, NDArray y, double eps) {
        return PenaltyGradients.autograd(net, model -> {
            Interval eta = bounds(net, x, mask, y, eps)[1];
            return eta.lower().abs().add(eta.upper().abs()).sum();
        });
    }

    private static void assertClose(NDArray expected, NDArray actual, String what) {
        assertArrayEquals(expected.toDoubleArray(), actual.toDoubleArray(), 1e-12, what);
    }
}
