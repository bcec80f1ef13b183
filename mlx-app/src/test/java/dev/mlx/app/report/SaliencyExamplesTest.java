package dev.mlx.app.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import dev.mlx.api.attribution.AttributionMethod;
import dev.mlx.api.data.DataSplit;
import dev.mlx.api.error.MlxException;
import dev.mlx.api.train.InputGradient;
import dev.mlx.api.train.IntervalBounds;
import dev.mlx.api.train.Model;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * The plumbing of saliency examples: chosen indices in order, prediction = arg max of the logits, the
 * explained class per target, each example's own input, mask and attribution, and a closed sub-manager.
 */
class SaliencyExamplesTest {
    private static final int SIDE = 2;
    private static final int CLASSES = 3;

    /** The logits are the first three pixels of the 2x2 image, so the prediction is their arg max. */
    private static final class FirstPixels implements Model {
        @Override
        public NDArray logits(NDArray inputs) {
            return inputs.reshape(inputs.getShape().get(0), SIDE * SIDE).get(new NDIndex(":, 0:" + CLASSES));
        }

        @Override
        public InputGradient inputGradient(NDArray inputs, UnaryOperator<NDArray> objective) {
            throw new UnsupportedOperationException("not used");
        }

        @Override
        public NDArray gradient(NDArray inputs, UnaryOperator<NDArray> function) {
            throw new UnsupportedOperationException("not used");
        }

        @Override
        public IntervalBounds intervalBounds() {
            throw new UnsupportedOperationException("not used");
        }

        @Override
        public List<NDArray> weights() {
            return List.of();
        }
    }

    /** Attribution = input * (10 + explained class), so every value tells which example and class it is from. */
    private static final AttributionMethod SCALED = (model, inputs, labels, seed) ->
            inputs.mul(labels.toType(DataType.FLOAT32, false).add(10f).reshape(-1, 1, 1, 1));

    private static DataSplit split() {
        // example i: pixels (i, 3 - i, 1 + i % 2, 0.5) / 4; label i % 3; mask on pixel i % 4
        int n = 6;
        float[] inputs = new float[n * 4];
        float[] masks = new float[n * 4];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            inputs[4 * i] = i / 4f;
            inputs[4 * i + 1] = (3 - i) / 4f;
            inputs[4 * i + 2] = (1 + i % 2) / 4f;
            inputs[4 * i + 3] = 0.5f / 4f;
            masks[4 * i + i % 4] = 1f;
            labels[i] = i % CLASSES;
        }
        return new DataSplit("toy/test", new int[] {1, SIDE, SIDE}, inputs, masks, labels, labels.clone(), CLASSES,
                CLASSES);
    }

    @Test
    void eachExampleGetsItsOwnValuesAndTheChosenClass() {
        DataSplit data = split();
        try (NDManager manager = NDManager.newBaseManager()) {
            List<Saliency> byLabel = SaliencyExamples.compute(new FirstPixels(), manager, data, new int[] {4, 0, 5},
                    SCALED, SaliencyExamples.Target.LABEL, 0);
            assertEquals(List.of(4, 0, 5), byLabel.stream().map(Saliency::index).toList(), "in the order given");
            // example 4: pixels (1, -0.25, 0.25): class 0; example 0: (0, 0.75, 0.25): class 1; example 5: class 0
            assertEquals(List.of(0, 1, 0), byLabel.stream().map(Saliency::predicted).toList());
            assertEquals(List.of(1, 0, 2), byLabel.stream().map(Saliency::label).toList());
            assertEquals(List.of(1, 0, 2), byLabel.stream().map(Saliency::explainedClass).toList());
            Saliency four = byLabel.get(0);
            assertArrayEquals(new float[] {1f, -0.25f, 0.25f, 0.125f}, four.input());
            assertArrayEquals(new float[] {1f, 0, 0, 0}, four.mask());
            assertArrayEquals(new float[] {11f, -2.75f, 2.75f, 1.375f}, four.attribution(), 1e-6f);
            List<Saliency> byPrediction = SaliencyExamples.compute(new FirstPixels(), manager, data, new int[] {0},
                    SCALED, SaliencyExamples.Target.PREDICTION, 0);
            assertEquals(1, byPrediction.get(0).explainedClass());
            assertArrayEquals(new float[] {0f, 8.25f, 2.75f, 1.375f}, byPrediction.get(0).attribution(), 1e-6f);
            assertEquals(0, manager.getManagedArrays().stream().filter(a -> !a.isReleased()).count(),
                    "every array lived on the closed sub-manager");
        }
    }

    @Test
    void theDefaultExamplesAreTheFirstOfEachClassThenInOrder() {
        DataSplit data = split();
        assertArrayEquals(new int[] {0, 1, 2, 3}, SaliencyExamples.firstOfEachClass(data, 4));
        assertArrayEquals(new int[] {0, 1}, SaliencyExamples.firstOfEachClass(data, 2));
        assertEquals(6, SaliencyExamples.firstOfEachClass(data, 100).length, "at most the split's size");
    }

    @Test
    void anIndexOutsideTheSplitIsAUserError() {
        try (NDManager manager = NDManager.newBaseManager()) {
            MlxException e = assertThrows(MlxException.class, () -> SaliencyExamples.compute(new FirstPixels(),
                    manager, split(), new int[] {6}, SCALED, SaliencyExamples.Target.LABEL, 0));
            assertTrue(e.getMessage().contains("example 6 is not in toy/test, which has examples 0..5"),
                    e.getMessage());
        }
    }
}
