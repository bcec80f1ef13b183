package dev.mlx.app.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mlx.api.metric.GroupAccuracy;
import dev.mlx.engine.train.EpochMetrics;
import java.awt.image.BufferedImage;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** XChart line and bar charts: finite points only, real pixels drawn, the training curves' values. */
class CurveChartTest {

    @Test
    void nonFinitePointsAreLeftOutAndEmptySeriesDropped() {
        CurveChart chart = CurveChart.of("t", "epoch", "y")
                .addSeries("a", new double[] {1, 2, 3}, new double[] {0.5, Double.NaN, 0.25})
                .addSeries("b", new double[] {1, 2}, new double[] {Double.NaN, Double.POSITIVE_INFINITY});
        assertEquals(1, chart.series().size());
        assertArrayEquals(new double[] {1, 3}, chart.series().get(0).x());
        assertArrayEquals(new double[] {0.5, 0.25}, chart.series().get(0).y());
        assertThrows(IllegalArgumentException.class, () -> chart.addSeries("a", new double[] {1}, new double[] {1}));
        assertThrows(IllegalStateException.class, () -> CurveChart.of("e", "x", "y").render(100, 100));
    }

    @Test
    void aRenderedChartHasTheSizeAskedForAndDrawsItsCurves() {
        BufferedImage empty = CurveChart.of("t", "epoch", "y")
                .addSeries("a", new double[] {1}, new double[] {0.5}).render(400, 300);
        BufferedImage full = CurveChart.of("t", "epoch", "y")
                .addSeries("a", new double[] {1, 2, 3, 4}, new double[] {0.9, 0.5, 0.3, 0.2})
                .addSeries("b", new double[] {1, 2, 3, 4}, new double[] {0.1, 0.4, 0.6, 0.8}).render(400, 300);
        assertEquals(400, full.getWidth());
        assertEquals(300, full.getHeight());
        assertTrue(colours(full) > 20, "anti-aliased curves, axes and text: " + colours(full));
        assertTrue(colours(full) > colours(empty), "two curves draw more than one point");
    }

    @Test
    void trainingCurvesCarryTheEpochValuesInPercent() {
        GroupAccuracy test = new GroupAccuracy(new long[] {3, 1}, new long[] {4, 4});
        List<EpochMetrics> history = List.of(new EpochMetrics(1, 2.0, 0.0, 0.5, 1.0, 10, null),
                new EpochMetrics(2, 1.0, 0.0, 0.75, 1.0, 10, test));
        CurveChart acc = TrainingCurves.accuracies(history);
        assertEquals(List.of("train accuracy", "test Avg Acc", "test Wg Acc"),
                acc.series().stream().map(CurveChart.Series::name).toList());
        assertArrayEquals(new double[] {50, 75}, acc.series().get(0).y(), 1e-9);
        assertArrayEquals(new double[] {2}, acc.series().get(1).x(), "epoch 1 had no test evaluation");
        assertArrayEquals(new double[] {50}, acc.series().get(1).y(), 1e-9);
        assertArrayEquals(new double[] {25}, acc.series().get(2).y(), 1e-9);
        CurveChart loss = TrainingCurves.loss(history);
        assertEquals(1, loss.series().size(), "ERM has no penalty curve");
        assertArrayEquals(new double[] {2, 1}, loss.series().get(0).y());
        List<EpochMetrics> penalised = List.of(new EpochMetrics(1, 2.0, 0.3, 0.5, 1.0, 10, null));
        assertEquals(2, TrainingCurves.loss(penalised).series().size());
        CurveChart per = TrainingCurves.perRun("wg", "%", Map.of("erm", history),
                e -> 100 * TrainingCurves.testValue(e, false));
        assertArrayEquals(new double[] {25}, per.series().get(0).y(), 1e-9);
    }

    @Test
    void anAccuracyBarChartNeedsOneValuePerMethod() {
        AccuracyChart chart = AccuracyChart.of("acc", List.of("erm", "rrr"));
        assertThrows(IllegalArgumentException.class, () -> chart.addMeasure("Avg", new double[] {1}));
        BufferedImage image = chart.addMeasure("Avg Acc", new double[] {60, 90})
                .addMeasure("Wg Acc", new double[] {10, Double.NaN}).render(500, 300);
        assertEquals(List.of("Avg Acc", "Wg Acc"), chart.measures());
        assertEquals(500, image.getWidth());
        assertTrue(colours(image) > 5, "bars, axes and labels are drawn");
    }

    static int colours(BufferedImage image) {
        Set<Integer> seen = new HashSet<>();
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                seen.add(image.getRGB(x, y));
            }
        }
        return seen.size();
    }
}
