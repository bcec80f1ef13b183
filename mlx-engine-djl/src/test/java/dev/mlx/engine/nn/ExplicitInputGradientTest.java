package dev.mlx.engine.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import dev.mlx.engine.autograd.OneDnnSwitch;
import dev.mlx.engine.testkit.SharedEngine;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * {@link Network#inputGradient}'s explicit backward pass (each layer's {@link Layer#cotangent} as
 * forward operations) against {@code torch.autograd.grad(create_graph=True)}: the same input
 * gradient, the same parameter gradients of an RRR-style penalty on it, the same gradient of a
 * function of it with respect to the inputs (an attack's ascent, {@link Model#gradient}, and the same as
 * data, {@link Model#detachedGradient}), on a
 * convolutional network with strided convolutions whose input sizes need an output padding, and on
 * an MLP; parameter gradients also against finite differences. A network with a layer without an
 * explicit cotangent (max pooling) keeps autograd. The explicit pass takes no differentiable gradient
 * through a convolution, so oneDNN stays on for the step's backward pass. Inside
 * {@link Network#shareForward()} a step's forward pass serves its penalty's input gradient, with the same
 * parameter gradients.
 */
class ExplicitInputGradientTest {
    private static final int BATCH = 3;

    @Test
    void theExplicitPassEqualsAutogradOnValuesParameterGradientsAndAscents() {
        forNetworks((net, shape, m, random) -> {
            assertTrue(net.explicitInputGradients(), "every layer of " + net.architecture() + " has a cotangent");
            Network reference = net.referenceForTest();
            NDArray x = m.create(random.doubles(shape.size(), -1, 1).toArray(), shape);
            NDArray mask = m.create(random.doubles(shape.size(), 0, 1).map(v -> v < 0.3 ? 1 : 0).toArray(), shape);
            NDArray y = m.create(random.longs(BATCH, 0, 3).toArray());
            InputGradient explicit = net.inputGradient(x, z -> Losses.perSampleCrossEntropy(z, y));
            InputGradient autograd = reference.inputGradient(x, z -> Losses.perSampleCrossEntropy(z, y));
            assertArrayEquals(autograd.logits().toDoubleArray(), explicit.logits().toDoubleArray(), 1e-12, "logits");
            assertArrayEquals(autograd.gradient().toDoubleArray(), explicit.gradient().toDoubleArray(), 1e-12,
                    "input gradient");
            assertTrue(explicit.gradient().abs().max().getDouble() > 1e-6, "the gradient is not trivially zero");

            Function<Model, NDArray> rrr = model -> model.inputGradient(x, z -> Losses.perSampleCrossEntropy(z, y))
                    .gradient().mul(mask).square().sum();
            double[] viaExplicit = PenaltyGradients.autograd(net, rrr);
            assertArrayEquals(PenaltyGradients.autograd(reference, rrr), viaExplicit, 1e-10,
                    "parameter gradients of the penalty");

            Function<Model, NDArray> ascent = model -> model.gradient(x, p -> model.inputGradient(p,
                    z -> Losses.perSampleCrossEntropy(z, y)).gradient().mul(mask).square().sum());
            double[] expected = ascent.apply(reference).toDoubleArray();
            assertArrayEquals(expected, ascent.apply(net).toDoubleArray(), 1e-10,
                    "gradient of a function of the input gradient with respect to the inputs");
            for (Model model : List.<Model>of(net, reference)) {
                NDArray detached = model.detachedGradient(x, p -> model.inputGradient(p,
                        z -> Losses.perSampleCrossEntropy(z, y)).gradient().mul(mask).square().sum());
                assertArrayEquals(expected, detached.toDoubleArray(), 1e-10, "the same gradient, detached");
            }

            int checked = PenaltyGradients.checkAgainstFiniteDifferences(net, rrr, viaExplicit, 2, random, m);
            assertTrue(checked >= 8, "entries checked: " + checked);
        });
    }

    @Test
    void aStepSharesItsForwardPassWithThePenaltysInputGradientAndGetsTheSameGradients() {
        forNetworks((net, shape, m, random) -> {
            NDArray x = m.create(random.doubles(shape.size(), -1, 1).toArray(), shape);
            // a small mask, so that the MLP's masked gradient takes the compact path as well
            NDArray mask = m.create(random.doubles(shape.size(), 0, 1).map(v -> v < 0.1 ? 1 : 0).toArray(), shape);
            NDArray y = m.create(random.longs(BATCH, 0, 3).toArray());
            NDArray[] seen = new NDArray[2];
            Function<Model, NDArray> step = model -> {
                NDArray logits = model.logits(x);
                InputGradient g = model.maskedInputGradient(x, mask, z -> Losses.perSampleCrossEntropy(z, y));
                InputGradient full = model.inputGradient(x, z -> Losses.perSampleCrossEntropy(z, y));
                seen[0] = logits;
                seen[1] = full.logits();
                return Losses.perSampleCrossEntropy(logits, y).mean().add(g.gradient().square().sum())
                        .add(full.gradient().mul(mask).abs().sum());
            };
            double[] alone = PenaltyGradients.autograd(net, step);
            assertFalse(seen[0] == seen[1], "without the scope the input gradient runs its own forward pass");
            double[] shared;
            try (Network.SharingScope sharing = net.shareForward()) {
                shared = PenaltyGradients.autograd(net, step);
                assertTrue(seen[0] == seen[1], "inside the scope the input gradient starts from the step's forward pass");
            }
            assertArrayEquals(alone, shared, 1e-10, "parameter gradients of loss + penalty");
            net.logits(x);
            net.inputGradient(x, z -> Losses.perSampleCrossEntropy(z, y));
        });
    }

    @Test
    void plainDataAndFrozenParametersStillGiveTheGradient() {
        MlxEngine engine = SharedEngine.get();
        Architecture frozen = new Architecture(List.of(new LayerSpec.Flatten(), new LayerSpec.Linear(6, 4),
                new LayerSpec.Relu(), new LayerSpec.Linear(4, 2)), 4, null);
        try (Network net = engine.networks().create(frozen, new int[] {6}, 0, Map.of(), DataType.FLOAT64);
                NDManager m = engine.manager().newSubManager()) {
            assertTrue(net.explicitInputGradients());
            SplittableRandom random = new SplittableRandom(3);
            NDArray x = m.create(random.doubles(12, -1, 1).toArray(), new Shape(2, 6));
            NDArray y = m.create(new long[] {0, 1});
            NDArray explicit = net.inputGradient(x, z -> Losses.perSampleCrossEntropy(z, y)).gradient();
            NDArray autograd = net.referenceForTest()
                    .inputGradient(x, z -> Losses.perSampleCrossEntropy(z, y)).gradient();
            assertArrayEquals(autograd.toDoubleArray(), explicit.toDoubleArray(), 1e-12);
            assertTrue(explicit.abs().max().getDouble() > 1e-6);
        }
    }

    @Test
    void aLayerWithoutCotangentKeepsAutograd() {
        MlxEngine engine = SharedEngine.get();
        Architecture pooled = new Architecture(List.of(new LayerSpec.Conv2d(1, 2, 3, 1, 1, true), new LayerSpec.Relu(),
                new LayerSpec.MaxPool2d(2, 2, 0), new LayerSpec.Flatten(), new LayerSpec.Linear(2 * 3 * 3, 3)));
        try (Network net = engine.networks().create(pooled, new int[] {1, 6, 6}, 0, Map.of(), DataType.FLOAT64)) {
            assertFalse(net.explicitInputGradients());
        }
    }

    @Test
    void theStepBackwardPassKeepsOneDnnOnAfterAnExplicitInputGradient() {
        OneDnnSwitch.Mode before = OneDnnSwitch.mode();
        OneDnnSwitch.configure(OneDnnSwitch.Mode.FIRST_ORDER);
        try {
            forNetworks((net, shape, m, random) -> {
                NDArray x = m.create(random.doubles(shape.size(), -1, 1).toArray(), shape);
                NDArray y = m.create(random.longs(BATCH, 0, 3).toArray());
                net.inputGradient(x, z -> Losses.perSampleCrossEntropy(z, y));
                try (OneDnnSwitch.Restore restore = OneDnnSwitch.beforeParameterBackward()) {
                    assertTrue(OneDnnSwitch.oneDnnEnabled(), "oneDNN on in the backward pass of " + net.architecture());
                }
            });
        } finally {
            OneDnnSwitch.configure(before);
        }
    }

    @FunctionalInterface
    private interface NetCheck {
        void check(Network net, Shape inputShape, NDManager m, SplittableRandom random);
    }

    /** A CNN (inputs 2x7x9: the strided convolutions need output paddings 1 and 0) and an MLP, float64. */
    private static void forNetworks(NetCheck check) {
        MlxEngine engine = SharedEngine.get();
        SplittableRandom random = new SplittableRandom(17);
        Architecture cnn = new Architecture(List.of(new LayerSpec.Conv2d(2, 4, 3, 1, 1, true), new LayerSpec.Relu(),
                new LayerSpec.Conv2d(4, 3, 4, 2, 1, true), new LayerSpec.Relu(), new LayerSpec.Conv2d(3, 3, 3, 2, 0, false),
                new LayerSpec.Relu(), new LayerSpec.Flatten(), new LayerSpec.Linear(3 * 1 * 1, 5), new LayerSpec.Relu(),
                new LayerSpec.Linear(5, 3)));
        Architecture mlp = new Architecture(List.of(new LayerSpec.Flatten(), new LayerSpec.Linear(12, 8),
                new LayerSpec.Relu(), new LayerSpec.Linear(8, 3)));
        List<Object[]> cases = List.of(new Object[] {cnn, new int[] {2, 7, 9}}, new Object[] {mlp, new int[] {12}});
        for (Object[] c : cases) {
            int[] in = (int[]) c[1];
            long[] dims = new long[in.length + 1];
            dims[0] = BATCH;
            for (int i = 0; i < in.length; i++) {
                dims[i + 1] = in[i];
            }
            try (Network net = engine.networks().create((Architecture) c[0], in, 1, Map.of(), DataType.FLOAT64);
                    NDManager m = engine.manager().newSubManager()) {
                check.check(net, new Shape(dims), m, random);
            }
        }
    }
}
