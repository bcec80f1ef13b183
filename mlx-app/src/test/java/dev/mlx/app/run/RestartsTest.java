package dev.mlx.app.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mlx.api.metric.GroupAccuracy;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Spec §8.1: Wg Acc is the worst group of the restart-averaged accuracies, with its stds. */
class RestartsTest {
    /** A group accuracy with 100 examples per group and these correct counts. */
    private static GroupAccuracy of(long... correct) {
        long[] count = new long[correct.length];
        java.util.Arrays.fill(count, 100);
        return new GroupAccuracy(correct, count);
    }

    @Test
    void wgIsTheWorstGroupOfTheMeansNotTheMeanOfTheMinima() {
        // restart 0 is worst on group 0, restart 1 on group 1; averaged, group 1 is worst
        Restarts.Aggregate a = Restarts.Aggregate.of(List.of(of(50, 90, 100), of(90, 40, 100)));
        assertArrayEquals(new double[] {0.70, 0.65, 1.00}, a.groupMeans(), 1e-12);
        assertEquals(1, a.worstGroup());
        assertEquals(0.65, a.wgMean(), 1e-12, "min of the means (the mean of the minima would be 0.45)");
        assertEquals((0.70 + 0.65 + 1.00) / 3, a.avgMean(), 1e-12);
        // std over restarts of the accuracy on group 1: values 0.9 and 0.4 -> sample std 0.3536
        assertEquals(Math.sqrt(2 * 0.25 * 0.25), a.wgStd(), 1e-12);
        // std over restarts of each restart's mean: 0.8 and 0.7667
        assertEquals(Math.abs(0.8 - 230.0 / 300) / Math.sqrt(2), a.avgStd(), 1e-12);
    }

    @Test
    void oneRestartHasNoStd() {
        Restarts.Aggregate a = Restarts.Aggregate.of(List.of(of(50, 90)));
        assertEquals(0.5, a.wgMean(), 1e-12);
        assertTrue(Double.isNaN(a.avgStd()) && Double.isNaN(a.wgStd()));
        assertNull(a.toJson().get("avgStd"), "JSON has null, not NaN");
        assertEquals("50.00 %", RestartsTable.meanStd(a.wgMean(), a.wgStd()));
        assertEquals("65.00 ± 35.36 %", RestartsTable.meanStd(0.65, Math.sqrt(2 * 0.25 * 0.25)));
    }
}
