package dev.mlx.engine.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.mlx.api.model.Architecture;
import dev.mlx.api.model.LayerSpec;
import dev.mlx.api.train.FeatureColumns;
import dev.mlx.api.train.InputGradient;
import dev.mlx.api.train.Interval;
import dev.mlx.api.train.IntervalPass;
import dev.mlx.api.train.Losses;
import dev.mlx.api.train.MaskedInputs;
import dev.mlx.api.train.Model;
import dev.mlx.engine.MlxEngine;
import dev.mlx.engine.method.CrossEntropyBounds;
import dev.mlx.engine.testkit.SharedEngine;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Masked input gradients and their interval bounds on the mask's columns ({@link Model#maskedColumns}):
 * on a linear first layer the columns are the masked features, on a convolutional network the mask's
 * bounding window in every channel, otherwise every feature; the results on the columns equal the full
 * masked results selected on them (values and the parameter gradients of an RRR and a Cert-R4 term,
 * one copy and stacked copies), so a penalty summed over the columns equals the one summed over every
 * feature; a batch whose masked columns move ({@link Model#maskedInputs}, Adv-R4's search) gives the
 * gradient, the ascent direction on the columns and the parameter gradients of the moved inputs.
 */
class MaskedColumnsTest {
    private static final int BATCH = 4;

    @Test
    void onALinearFirstLayerTheColumnsAreTheMaskedFeatures() {
        Architecture mlp = new Architecture(List.of(new LayerSpec.Flatten(), new LayerSpec.Linear(30, 7),
                new LayerSpec.Relu(), new LayerSpec.Linear(7, 3)));
        check(mlp, new Shape(BATCH, 1, 30), (m, r) -> {
            double[] a = new double[BATCH * 30];
            for (int b = 0; b < BATCH; b++) {
                int start = b % 2 == 0 ? 2 : 20;
                for (int f = start; f < start + 3; f++) {
                    a[b * 30 + f] = f == start ? 0.5 : 1;
                }
            }
            return m.create(a, new Shape(BATCH, 1, 30));
        }, 6);
    }

    @Test
    void onAConvolutionalNetworkTheColumnsAreTheMasksWindowInEveryChannel() {
        Architecture cnn = new Architecture(List.of(new LayerSpec.Conv2d(2, 3, 3, 1, 1, true), new LayerSpec.Relu(),
                new LayerSpec.Conv2d(3, 2, 4, 2, 1, true), new LayerSpec.Relu(), new LayerSpec.Flatten(),
                new LayerSpec.Linear(2 * 6 * 5, 5), new LayerSpec.Relu(), new LayerSpec.Linear(5, 3)));
        check(cnn, new Shape(BATCH, 2, 13, 11), (m, r) -> {
            double[] a = new double[BATCH * 2 * 13 * 11];
            for (int b = 0; b < BATCH; b++) {
                for (int ch = 0; ch < 2; ch++) {
                    for (int i = 10; i < 13; i++) {
                        for (int j = 0; j < 3; j++) {
                            // one example's patch is smaller: the window is the bounding box over the batch
                            a[((b * 2 + ch) * 13 + i) * 11 + j] = b == 0 && j == 2 ? 0 : i == 10 && j == 0 ? 0.5 : 1;
                        }
                    }
                }
            }
            return m.create(a, new Shape(BATCH, 2, 13, 11));
        }, 2 * 3 * 3);
    }

    @Test
    void aWideMaskOrAnUnsupportedNetworkTakesEveryFeature() {
        Architecture mlp = new Architecture(List.of(new LayerSpec.Flatten(), new LayerSpec.Linear(30, 7),
                new LayerSpec.Relu(), new LayerSpec.Linear(7, 3)));
        check(mlp, new Shape(BATCH, 1, 30), (m, r) -> m.create(r.doubles(BATCH * 30L, 0, 1).toArray(),
                new Shape(BATCH, 1, 30)), 30);
        Architecture pooled = new Architecture(List.of(new LayerSpec.Conv2d(2, 3, 3, 1, 1, true), new LayerSpec.Relu(),
                new LayerSpec.MaxPool2d(2, 2, 0), new LayerSpec.Flatten(), new LayerSpec.Linear(3 * 6 * 5, 3)));
        check(pooled, new Shape(BATCH, 2, 13, 11), (m, r) -> {
            double[] a = new double[BATCH * 2 * 13 * 11];
            a[0] = 1;
            return m.create(a, new Shape(BATCH, 2, 13, 11));
        }, 2 * 13 * 11);
    }

    @Test
    void selectingChecksTheNumberOfFeatures() {
        try (NDManager m = SharedEngine.get().manager().newSubManager()) {
            FeatureColumns columns = new FeatureColumns(m.create(new long[] {1, 3}), 4);
            NDArray a = m.create(new float[] {0, 1, 2, 3, 4, 5, 6, 7}, new Shape(2, 2, 2));
            assertArrayEquals(new float[] {1, 3, 5, 7}, columns.select(a).toFloatArray());
            assertEquals(2, columns.count());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> columns.select(m.zeros(new Shape(2, 3))));
            assertTrue(e.getMessage().contains("4 features"), e.getMessage());
            assertNull(FeatureColumns.all(a).indices());
            assertEquals(4, FeatureColumns.all(a).count());
        }
    }

    @FunctionalInterface
    private interface MaskMaker {
        NDArray make(NDManager m, SplittableRandom random);
    }

    private static void check(Architecture architecture, Shape shape, MaskMaker masks, long expectedColumns) {
        MlxEngine engine = SharedEngine.get();
        SplittableRandom random = new SplittableRandom(5);
        int[] example = java.util.Arrays.stream(shape.slice(1).getShape()).mapToInt(Math::toIntExact).toArray();
        try (Network net = engine.networks().create(architecture, example, 3, Map.of(), DataType.FLOAT64);
                NDManager m = engine.manager().newSubManager()) {
            NDArray x = m.create(random.doubles(shape.size(), -1, 1).toArray(), shape);
            NDArray mask = masks.make(m, random);
            NDArray y = m.create(random.longs(BATCH, 0, 3).toArray());
            FeatureColumns columns = net.maskedColumns(mask);
            assertEquals(expectedColumns, columns.count(), "columns");
            assertEquals(shape.size() / BATCH, columns.features());
            // every masked feature is a column
            NDArray masked = mask.reshape(BATCH, -1).abs().sum(new int[] {0}).gt(0);
            assertEquals(masked.countNonzero().getLong(), columns.select(mask).abs().sum(new int[] {0}).gt(0)
                    .countNonzero().getLong(), "the columns hold every masked feature");

            Function<Model, InputGradient> full = model -> model.maskedInputGradient(x, mask,
                    z -> Losses.perSampleCrossEntropy(z, y));
            Function<Model, InputGradient> onColumns = model -> model.maskedInputGradient(x, mask, columns,
                    z -> Losses.perSampleCrossEntropy(z, y));
            InputGradient g = onColumns.apply(net);
            assertEquals(new Shape(BATCH, expectedColumns), g.gradient().getShape());
            assertArrayEquals(columns.select(full.apply(net).gradient()).toDoubleArray(), g.gradient().toDoubleArray(),
                    1e-12, "gradient on the columns");
            assertArrayEquals(full.apply(net).logits().toDoubleArray(), g.logits().toDoubleArray(), 1e-12, "logits");
            assertTrue(g.gradient().abs().max().getDouble() > 1e-8, "not trivially zero");
            NDArray maskOnColumns = columns.select(mask);
            double[] rrrFull = PenaltyGradients.autograd(net,
                    model -> full.apply(model).gradient().mul(mask).square().sum());
            double[] rrrColumns = PenaltyGradients.autograd(net,
                    model -> onColumns.apply(model).gradient().mul(maskOnColumns).square().sum());
            assertArrayEquals(rrrFull, rrrColumns, 1e-10, "parameter gradients of RRR's term");

            // the batch with its columns moved (Adv-R4's search): the same gradient as at the moved inputs, and the
            // same ascent direction and parameter gradients
            MaskedInputs box = net.maskedInputs(x, mask, columns);
            assertArrayEquals(columns.select(x).toDoubleArray(), box.columnValues().toDoubleArray(), 0.0, "base values");
            NDArray values = box.columnValues().add(m.create(random.doubles(BATCH * expectedColumns, -0.3, 0.3).toArray(),
                    new Shape(BATCH, expectedColumns)).mul(maskOnColumns));
            NDArray moved = columns.replace(x, values);
            assertEquals(shape, moved.getShape());
            InputGradient atMoved = net.maskedInputGradient(moved, mask, columns, z2 -> Losses.perSampleCrossEntropy(z2, y));
            InputGradient inBox = box.maskedInputGradient(values, z2 -> Losses.perSampleCrossEntropy(z2, y));
            assertArrayEquals(atMoved.logits().toDoubleArray(), inBox.logits().toDoubleArray(), 1e-12, "logits, moved");
            assertArrayEquals(atMoved.gradient().toDoubleArray(), inBox.gradient().toDoubleArray(), 1e-12,
                    "gradient, moved");
            NDArray ascent = net.detachedGradient(values, v -> box.maskedInputGradient(v,
                    z2 -> Losses.perSampleCrossEntropy(z2, y)).gradient().mul(maskOnColumns).square().sum());
            NDArray fullAscent = net.detachedGradient(moved, p -> net.maskedInputGradient(p, mask,
                    z2 -> Losses.perSampleCrossEntropy(z2, y)).gradient().mul(mask).square().sum());
            assertArrayEquals(columns.select(fullAscent).toDoubleArray(), ascent.toDoubleArray(), 1e-10,
                    "ascent direction on the columns");
            assertTrue(ascent.abs().max().getDouble() > 1e-8, "the ascent is not trivially zero");
            assertArrayEquals(PenaltyGradients.autograd(net, model -> model.maskedInputGradient(moved, mask,
                    z2 -> Losses.perSampleCrossEntropy(z2, y)).gradient().mul(mask).square().sum()),
                    PenaltyGradients.autograd(net, model -> model.maskedInputs(x, mask, columns).maskedInputGradient(values,
                            z2 -> Losses.perSampleCrossEntropy(z2, y)).gradient().mul(maskOnColumns).square().sum()),
                    1e-10, "parameter gradients at the moved point");

            // stacked copies that differ only on the mask (Rand-R4's layout)
            NDArray noise = m.create(random.doubles(2 * shape.size(), -1, 1).toArray(),
                    new Shape(2 * BATCH).addAll(shape.slice(1)));
            NDArray inputs = NDArrays.concat(new NDList(noise.mul(Model.stackedMask(mask, 2))
                    .add(Model.stackedMask(x, 2)), x), 0);
            NDArray ys = y.tile(3);
            InputGradient copies = net.maskedInputGradient(inputs, mask, columns, 3,
                    z -> Losses.perSampleCrossEntropy(z, ys));
            assertArrayEquals(columns.select(net.maskedInputGradient(inputs, mask, 3,
                    z -> Losses.perSampleCrossEntropy(z, ys)).gradient()).toDoubleArray(),
                    copies.gradient().toDoubleArray(), 1e-12, "copies on the columns");

            // Cert-R4's bounds; the box given its columns is the same pass
            Function<Model, Interval[]> bounds = model -> {
                IntervalPass pass = model.intervalBounds().propagateMaskedBox(x, mask, 0.3);
                Interval logitGradient = CrossEntropyBounds.logitGradient(pass.logits(), y);
                IntervalPass columnPass = model.intervalBounds().propagateMaskedBox(x, mask, 0.3, columns);
                Interval columnLogitGradient = CrossEntropyBounds.logitGradient(columnPass.logits(), y);
                return new Interval[] {pass.maskedInputGradient(logitGradient, mask),
                    columnPass.maskedInputGradient(columnLogitGradient, mask, columns), pass.logits(), columnPass.logits()};
            };
            Interval[] both = bounds.apply(net);
            assertArrayEquals(both[2].lower().toDoubleArray(), both[3].lower().toDoubleArray(), 1e-12, "lower logits");
            assertArrayEquals(both[2].upper().toDoubleArray(), both[3].upper().toDoubleArray(), 1e-12, "upper logits");
            assertArrayEquals(columns.select(both[0].lower()).toDoubleArray(), both[1].lower().toDoubleArray(), 1e-12,
                    "lower bounds on the columns");
            assertArrayEquals(columns.select(both[0].upper()).toDoubleArray(), both[1].upper().toDoubleArray(), 1e-12,
                    "upper bounds on the columns");
            double[] certFull = PenaltyGradients.autograd(net, model -> {
                Interval eta = bounds.apply(model)[0];
                return eta.lower().abs().add(eta.upper().abs()).sum();
            });
            double[] certColumns = PenaltyGradients.autograd(net, model -> {
                Interval eta = bounds.apply(model)[1];
                return eta.lower().abs().add(eta.upper().abs()).sum();
            });
            assertArrayEquals(certFull, certColumns, 1e-10, "parameter gradients of Cert-R4's term");
        }
    }
}
