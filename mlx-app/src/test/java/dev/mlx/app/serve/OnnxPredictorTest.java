package dev.mlx.app.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mlx.api.data.DataSplit;
import dev.mlx.api.error.MlxException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scoring with ONNX Runtime on a hand-made classifier whose predictions are known: argmax, per-group
 * and per-label counts, Avg Acc and Wg Acc, batch boundaries, and the refusals.
 */
class OnnxPredictorTest {
    @TempDir
    Path tmp;

    /** Examples whose largest feature among the first three is the predicted class. */
    private static DataSplit split(int[] labels, int[] groups, int numGroups) {
        float[][] rows = {{5, 1, 0, 9}, {0, 3, 1, 9}, {0, 1, 2, 9}, {7, 0, 0, 0}, {0, 0, 4, 0}, {1, 2, 1, 0},
            {2, 2, 1, 0}}; // the last one ties classes 0 and 1: the first index wins, as in PyTorch's argmax
        float[] inputs = new float[labels.length * 4];
        for (int i = 0; i < labels.length; i++) {
            System.arraycopy(rows[i], 0, inputs, 4 * i, 4);
        }
        return new DataSplit("hand/test", new int[] {1, 2, 2}, inputs, new float[inputs.length], labels, groups, 3,
                numGroups);
    }

    @Test
    void predictionsAndGroupAccuraciesFollowTheTrainingDefinitions() {
        // predicted: 0 1 2 0 2 1 0
        int[] labels = {0, 1, 1, 0, 2, 1, 1};
        int[] groups = {0, 0, 1, 1, 1, 2, 2};
        try (OnnxPredictor predictor = OnnxPredictor.open(TinyOnnxModels.pickFeature(tmp.resolve("m.onnx")),
                SessionFactory.system(), 1)) {
            for (int batch : new int[] {1, 3, 7, 100}) {
                Predictions p = predictor.predict(split(labels, groups, 3), batch);
                assertArrayEquals(new int[] {0, 1, 2, 0, 2, 1, 0}, p.predicted(), "batch size " + batch);
                assertArrayEquals(new long[] {2, 2, 1}, p.byGroup().correct());
                assertArrayEquals(new long[] {2, 3, 2}, p.byGroup().count());
                Map<String, Double> m = p.metrics();
                assertEquals(5.0 / 7, m.get("accuracy"), 0);
                assertEquals((1.0 + 2.0 / 3 + 0.5) / 3, m.get("avg-group-accuracy"), 0);
                assertEquals(0.5, m.get("worst-group-accuracy"), 0);
                assertEquals(2.0, m.get("worst-group"), 0);
                // labels: class 0 2/2, class 1 2/4, class 2 1/1
                assertEquals((1.0 + 0.5 + 1.0) / 3, m.get("avg-label-accuracy"), 0);
                assertEquals(2.0 / 3, m.get("group-1"), 0);
            }
            assertEquals(-1, predictor.inputShape()[0], "dynamic batch dimension");
        }
    }

    @Test
    void wrongShapesClassCountsAndBrokenModelsAreRefused() {
        Path model = TinyOnnxModels.pickFeature(tmp.resolve("m.onnx"));
        try (OnnxPredictor predictor = OnnxPredictor.open(model, SessionFactory.system(), 1)) {
            DataSplit wide = new DataSplit("wide/test", new int[] {1, 2, 3}, new float[6], new float[6], new int[] {0},
                    new int[] {0}, 3, 1);
            MlxException shape = assertThrows(MlxException.class, () -> predictor.predict(wide, 10));
            assertTrue(shape.getMessage().contains("takes inputs of shape [-1, 1, 2, 2]")
                    && shape.getMessage().contains("[1, 2, 3]"), shape.getMessage());

            DataSplit fourClasses = new DataSplit("four/test", new int[] {1, 2, 2}, new float[4], new float[4],
                    new int[] {3}, new int[] {0}, 4, 1);
            MlxException classes = assertThrows(MlxException.class, () -> predictor.predict(fourClasses, 10));
            assertTrue(classes.getMessage().contains("predicts 3 classes but four/test has 4"), classes.getMessage());

            MlxException batch = assertThrows(MlxException.class,
                    () -> predictor.predict(split(new int[] {0}, new int[] {0}, 1), 0));
            assertTrue(batch.getMessage().contains("--batch-size must be >= 1"), batch.getMessage());
        }
        Path nan = TinyOnnxModels.linear(tmp.resolve("nan.onnx"), new float[12], new float[] {0, Float.NaN, 0});
        try (OnnxPredictor predictor = OnnxPredictor.open(nan, SessionFactory.system(), 1)) {
            MlxException e = assertThrows(MlxException.class,
                    () -> predictor.predict(split(new int[] {0}, new int[] {0}, 1), 10));
            assertTrue(e.getMessage().contains("non-finite logit (NaN) for example 0"), e.getMessage());
        }
    }
}
