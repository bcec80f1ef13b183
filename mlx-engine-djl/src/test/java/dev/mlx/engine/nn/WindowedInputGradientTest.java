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
import dev.mlx.api.train.Losses;
import dev.mlx.api.train.Model;
import dev.mlx.engine.MlxEngine;
import dev.mlx.engine.testkit.SharedEngine;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The windowed masked input gradient of a convolutional network ({@link Network#maskedInputGradient} when
 * the mask's bounding box is small): against autograd's full input gradient times the mask, for patches
 * in every corner, on an edge and in the middle of odd-sized images, through strided and padded
 * convolutions (so windows are clipped at the borders): the values, the parameter gradients of an RRR penalty (also against finite
 * differences), the gradient with respect to the inputs of a function of it (an attack's ascent), and the
 * copies variant (Rand-R4's noisy copies) inside a step's shared forward pass; and Cert-R4's interval bounds on
 * the masked input gradient over the masked box with their parameter gradients, and the logit bounds
 * (whose forward radius runs on windows too, and whose centre, in a step's shared forward pass, is the
 * batch's activation outside the windows).
 */
class WindowedInputGradientTest {
    private static final int BATCH = 3;
    private static final int C = 2;
    private static final int H = 13;
    private static final int W = 11;

    @Test
    void theWindowedGradientEqualsTheFullOneOnTheMaskAndItsParameterAndInputGradientsToo() {
        forNetworks((net, m, random) -> {
            Network reference = net.referenceForTest();
            Shape shape = new Shape(BATCH, C, H, W);
            List<double[][]> bounds = new java.util.ArrayList<>();
            for (int[] corner : corners()) {
                NDArray x = m.create(random.doubles(shape.size(), -1, 1).toArray(), shape);
                NDArray mask = patch(m, random, corner[0], corner[1]);
                NDArray y = m.create(random.longs(BATCH, 0, 3).toArray());
                Function<Model, InputGradient> masked = model -> model.maskedInputGradient(x, mask,
                        z -> Losses.perSampleCrossEntropy(z, y));
                InputGradient g = masked.apply(net);
                InputGradient full = reference.inputGradient(x, z -> Losses.perSampleCrossEntropy(z, y));
                NDArray read = mask.neq(0).toType(DataType.FLOAT64, false);
                String where = net.architecture() + ", patch at " + corner[0] + "," + corner[1];
                assertArrayEquals(full.logits().toDoubleArray(), g.logits().toDoubleArray(), 1e-12, where);
                assertArrayEquals(full.gradient().mul(read).toDoubleArray(), g.gradient().toDoubleArray(), 1e-12,
                        "masked gradient, " + where);
                assertTrue(g.gradient().abs().max().getDouble() > 1e-8, "not trivially zero, " + where);

                Function<Model, NDArray> rrr = model -> masked.apply(model).gradient().mul(mask).square().sum();
                double[] windowed = PenaltyGradients.autograd(net, rrr);
                assertArrayEquals(PenaltyGradients.autograd(reference, rrr), windowed, 1e-10,
                        "parameter gradients, " + where);
                PenaltyGradients.checkAgainstFiniteDifferences(net, rrr, windowed, 1, random, m);

                Function<Model, NDArray> ascent = model -> model.detachedGradient(x, p -> model.maskedInputGradient(p,
                        mask, z -> Losses.perSampleCrossEntropy(z, y)).gradient().mul(mask).square().sum());
                assertArrayEquals(ascent.apply(reference).toDoubleArray(), ascent.apply(net).toDoubleArray(), 1e-10,
                        "gradient of a function of it, " + where);

                // copies that differ only on the mask (Rand-R4's layout), in the step's shared forward pass
                NDArray noise = m.create(random.doubles(2 * shape.size(), -1, 1).toArray(),
                        new Shape(2 * BATCH, C, H, W));
                NDArray inputs = ai.djl.ndarray.NDArrays.concat(new ai.djl.ndarray.NDList(
                        noise.mul(Model.stackedMask(mask, 2)).add(Model.stackedMask(x, 2)), x), 0);
                NDArray ys = y.tile(3);
                Function<Model, NDArray> copies = model -> {
                    model.logits(inputs);
                    return model.maskedInputGradient(inputs, mask, 3, z -> Losses.perSampleCrossEntropy(z, ys))
                            .gradient().square().sum();
                };
                // Cert-R4's bounds on the masked input gradient over the masked box: the same on windows
                for (Network n : List.of(net, reference)) {
                    dev.mlx.api.train.IntervalPass pass = n.intervalBounds().propagateMaskedBox(x, mask, 0.3);
                    dev.mlx.api.train.Interval eta = pass.maskedInputGradient(
                            dev.mlx.engine.method.CrossEntropyBounds.logitGradient(pass.logits(), y), mask);
                    bounds.add(new double[][] {eta.lower().toDoubleArray(), eta.upper().toDoubleArray(),
                        pass.logits().lower().toDoubleArray(), pass.logits().upper().toDoubleArray()});
                }
                assertArrayEquals(bounds.get(1)[2], bounds.get(0)[2], 1e-12, "lower logit bounds, " + where);
                assertArrayEquals(bounds.get(1)[3], bounds.get(0)[3], 1e-12, "upper logit bounds, " + where);
                assertArrayEquals(bounds.get(1)[0], bounds.get(0)[0], 1e-12, "lower bounds, " + where);
                assertArrayEquals(bounds.get(1)[1], bounds.get(0)[1], 1e-12, "upper bounds, " + where);
                bounds.clear();
                Function<Model, NDArray> cert = model -> {
                    dev.mlx.api.train.IntervalPass pass = model.intervalBounds().propagateMaskedBox(x, mask, 0.3);
                    dev.mlx.api.train.Interval eta = pass.maskedInputGradient(
                            dev.mlx.engine.method.CrossEntropyBounds.logitGradient(pass.logits(), y), mask);
                    return eta.lower().abs().add(eta.upper().abs()).sum();
                };
                assertArrayEquals(PenaltyGradients.autograd(reference, cert), PenaltyGradients.autograd(net, cert),
                        1e-10, "parameter gradients of Cert-R4's term, " + where);
                // in a step's shared forward pass the centre outside the window is the batch's own activation
                Function<Model, NDArray> step = model -> Losses.perSampleCrossEntropy(model.logits(x), y).sum()
                        .add(cert.apply(model));
                double[] sharedCert;
                double[] sharedBounds;
                try (Network.SharingScope sharing = net.shareForward()) {
                    sharedCert = PenaltyGradients.autograd(net, step);
                    net.logits(x);
                    dev.mlx.api.train.IntervalPass pass = net.intervalBounds().propagateMaskedBox(x, mask, 0.3);
                    sharedBounds = pass.logits().upper().toDoubleArray();
                }
                assertArrayEquals(PenaltyGradients.autograd(reference, step), sharedCert, 1e-10,
                        "parameter gradients of a Cert-R4 step, shared forward pass, " + where);
                assertArrayEquals(sharedBounds, reference.intervalBounds()
                        .propagateMaskedBox(x, mask, 0.3).logits().upper().toDoubleArray(), 1e-12,
                        "upper logit bounds, shared forward pass, " + where);

                double[] sharedWindowed;
                try (Network.SharingScope sharing = net.shareForward()) {
                    sharedWindowed = PenaltyGradients.autograd(net, copies);
                }
                assertArrayEquals(PenaltyGradients.autograd(reference, copies), sharedWindowed, 1e-10,
                        "copies, shared forward pass, " + where);
            }
        });
    }

    /** Patch corners: the four corners, the bottom edge, the middle. */
    private static List<int[]> corners() {
        return List.of(new int[] {0, 0}, new int[] {0, W - 3}, new int[] {H - 3, 0}, new int[] {H - 3, W - 3},
                new int[] {H - 3, 4}, new int[] {5, 4});
    }

    /** A 3 x 3 patch at {@code (r, c)} in every channel of every example, with one soft entry. */
    private static NDArray patch(NDManager m, SplittableRandom random, int r, int c) {
        double[] a = new double[BATCH * C * H * W];
        for (int b = 0; b < BATCH; b++) {
            for (int ch = 0; ch < C; ch++) {
                for (int i = r; i < r + 3; i++) {
                    for (int j = c; j < c + 3; j++) {
                        a[((b * C + ch) * H + i) * W + j] = i == r && j == c ? 0.5 : 1;
                    }
                }
            }
        }
        return m.create(a, new Shape(BATCH, C, H, W));
    }

    @FunctionalInterface
    private interface NetCheck {
        void check(Network net, NDManager m, SplittableRandom random);
    }

    /** The Decoy-DERM layout (convolutions, ReLUs, flatten, linear layers) and DermaNet-small's (ReLU after flatten). */
    private static void forNetworks(NetCheck check) {
        MlxEngine engine = SharedEngine.get();
        SplittableRandom random = new SplittableRandom(23);
        // 13 x 11 -> k3 s1 p1: 13 x 11 -> k4 s2 p1: 6 x 5 -> k3 s1 p0: 4 x 3
        Architecture medium = new Architecture(List.of(new LayerSpec.Conv2d(C, 3, 3, 1, 1, true), new LayerSpec.Relu(),
                new LayerSpec.Conv2d(3, 4, 4, 2, 1, true), new LayerSpec.Relu(), new LayerSpec.Conv2d(4, 2, 3, 1, 0, true),
                new LayerSpec.Relu(), new LayerSpec.Flatten(), new LayerSpec.Linear(2 * 4 * 3, 6), new LayerSpec.Relu(),
                new LayerSpec.Linear(6, 3)));
        // 13 x 11 -> k4 s1 p1: 12 x 10 -> k4 s2 p1: 6 x 5
        Architecture small = new Architecture(List.of(new LayerSpec.Conv2d(C, 3, 4, 1, 1, true), new LayerSpec.Relu(),
                new LayerSpec.Conv2d(3, 2, 4, 2, 1, true), new LayerSpec.Flatten(), new LayerSpec.Relu(),
                new LayerSpec.Linear(2 * 6 * 5, 3)));
        for (Architecture a : List.of(medium, small)) {
            try (Network net = engine.networks().create(a, new int[] {C, H, W}, 2, Map.of(), DataType.FLOAT64);
                    NDManager m = engine.manager().newSubManager()) {
                check.check(net, m, random);
            }
        }
    }
}
