package dev.mlx.api.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mlx.api.error.MlxException;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ValidationSplitTest {

    /** A split of n examples whose only feature is the example's index. */
    private static DataSplit indexed(String name, int n) {
        float[] inputs = new float[n];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            inputs[i] = i;
            labels[i] = i % 2;
        }
        return new DataSplit(name, new int[] {1}, inputs, new float[n], labels, labels.clone(), 2, 2);
    }

    @Test
    void heldOutIsAFixedRandomSubsetOfTheRequestedSize() {
        int[] held = ValidationSplit.heldOut("d", 1000, 0.1);
        assertEquals(100, held.length);
        assertArrayEquals(held, ValidationSplit.heldOut("d", 1000, 0.1), "a fixed seed: the same every time");
        for (int i = 1; i < held.length; i++) {
            assertTrue(held[i] > held[i - 1], "increasing, no repeats");
        }
        assertTrue(held[held.length - 1] - held[0] > 500, "spread over the set, not a block: " + Arrays.toString(held));
        assertNotEquals(0, held[0] + held[1] + held[2] - 3, "not simply the first examples");
        assertEquals(0, ValidationSplit.heldOut("d", 1000, 0).length);
        assertEquals(1, ValidationSplit.heldOut("d", 4, 0.1).length, "at least one when the fraction is positive");
    }

    @Test
    void remainingIsTheComplement() {
        int[] held = ValidationSplit.heldOut("d", 50, 0.2);
        int[] rest = ValidationSplit.remaining(50, held);
        Set<Integer> all = new HashSet<>();
        Arrays.stream(held).forEach(all::add);
        Arrays.stream(rest).forEach(all::add);
        assertEquals(50, all.size());
        assertEquals(40, rest.length);
    }

    @Test
    void nothingLeftToTrainOnOrABadFractionIsAUserError() {
        MlxException none = assertThrows(MlxException.class, () -> ValidationSplit.heldOut("tiny", 1, 0.5));
        assertTrue(none.getMessage().contains("tiny") && none.getMessage().contains("validation-fraction=0"),
                none.getMessage());
        MlxException bad = assertThrows(MlxException.class, () -> ValidationSplit.heldOut("d", 10, 0.7));
        assertTrue(bad.getMessage().contains("[0, 0.5]"), bad.getMessage());
    }

    @Test
    void carveMovesTheHeldOutTrainingExamplesAndLeavesTestAlone() {
        DataSplit test = indexed("d/test", 7);
        ExplanationDataset d = new ExplanationDataset("d", indexed("d/train", 40), test, "sum");
        ExplanationDataset carved = ValidationSplit.carve(d, 0.25);
        DataSplit v = carved.validation().orElseThrow();
        assertEquals("d/validation", v.name());
        assertEquals(10, v.size());
        assertEquals(30, carved.train().size());
        assertSame(test, carved.test());
        Set<Float> seen = new HashSet<>();
        for (float x : carved.train().inputs()) {
            seen.add(x);
        }
        for (float x : v.inputs()) {
            assertTrue(seen.add(x), "example " + x + " in both training and validation");
            assertEquals((int) x % 2, v.labels()[Arrays.binarySearch(v.inputs(), x)], "labels move with inputs");
        }
        assertEquals(40, seen.size());
        assertSame(d, ValidationSplit.carve(d, 0), "fraction 0: unchanged, no validation split");
    }

    @Test
    void aValidationSplitMustMatchTheDataset() {
        ExplanationDataset d = new ExplanationDataset("d", indexed("d/train", 4), indexed("d/test", 4), "sum");
        DataSplit wide = new DataSplit("d/validation", new int[] {2}, new float[4], new float[4], new int[2],
                new int[2], 2, 2);
        assertThrows(MlxException.class, () -> d.withValidation(wide));
    }
}
