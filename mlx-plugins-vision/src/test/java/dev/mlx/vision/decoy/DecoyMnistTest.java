package dev.mlx.vision.decoy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mlx.api.data.DataSplit;
import dev.mlx.api.data.ExplanationDataset;
import dev.mlx.vision.fixtures.IdxFixtures;
import dev.mlx.vision.mnist.MnistSplit;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DecoyMnistTest {
    private static final int SIDE = 28;
    private static final int F = SIDE * SIDE;

    private final MnistSplit train = IdxFixtures.randomSplit(400, SIDE, SIDE, 11);
    private final MnistSplit test = IdxFixtures.randomSplit(400, SIDE, SIDE, 12);

    @Test
    void patchLevelsFollowTheRecipe() {
        assertEquals(1f, DecoyMnist.patchLevel(0));
        assertEquals(230 / 255f, DecoyMnist.patchLevel(1));
        assertEquals(30 / 255f, DecoyMnist.patchLevel(9), 1e-7);
    }

    @Test
    void splitsHaveMnistShapeLabelsAndGroups() {
        ExplanationDataset data = DecoyMnist.build("decoy-mnist", train, test, 1, "sum");

        assertArrayEquals(new int[] {1, SIDE, SIDE}, data.exampleShape());
        assertEquals(10, data.numClasses());
        assertEquals("sum", data.checksum());
        for (DataSplit split : new DataSplit[] {data.train(), data.test()}) {
            assertEquals(400, split.size());
            assertEquals(10, split.numGroups());
            assertArrayEquals(split.labels(), split.groups(), "groups are the labels");
        }
        assertArrayEquals(labels(train), data.train().labels());
        assertArrayEquals(labels(test), data.test().labels());
    }

    @Test
    void trainMaskIsTheSixteenPixelPatchInOneCorner() {
        DataSplit split = DecoyMnist.build("d", train, test, 3, "").train();
        Set<Integer> cornersSeen = new HashSet<>();
        for (int i = 0; i < split.size(); i++) {
            float[] mask = Arrays.copyOfRange(split.masks(), i * F, (i + 1) * F);
            assertEquals(16f, sum(mask), "example " + i);
            int corner = cornerOf(mask);
            cornersSeen.add(corner);
            int top = corner / 2 == 0 ? 0 : SIDE - 4;
            int left = corner % 2 == 0 ? 0 : SIDE - 4;
            for (int r = top; r < top + 4; r++) {
                for (int c = left; c < left + 4; c++) {
                    assertEquals(1f, mask[r * SIDE + c], "example " + i + " pixel " + r + "," + c);
                }
            }
        }
        assertEquals(Set.of(0, 1, 2, 3), cornersSeen, "all four corners are used");
    }

    @Test
    void trainPatchHasTheLabelColourAndTheRestIsUntouched() {
        DataSplit split = DecoyMnist.build("d", train, test, 4, "").train();
        for (int i = 0; i < split.size(); i++) {
            float level = DecoyMnist.patchLevel(train.label(i));
            for (int j = 0; j < F; j++) {
                float value = split.inputs()[i * F + j];
                if (split.masks()[i * F + j] == 1f) {
                    assertEquals(level, value, "patch pixel " + j + " of example " + i);
                } else {
                    assertEquals(train.pixel(i, j / SIDE, j % SIDE) / 255f, value, "pixel " + j + " of example " + i);
                }
            }
        }
    }

    @Test
    void testMaskIsAllFourCornersForEveryImage() {
        DataSplit split = DecoyMnist.build("d", train, test, 5, "").test();
        float[] corners = DecoyMnist.cornerMask(SIDE, SIDE);
        assertEquals(64f, sum(corners));
        for (int[] rc : new int[][] {{0, 0}, {3, 3}, {0, 27}, {3, 24}, {27, 0}, {24, 3}, {27, 27}, {24, 24}}) {
            assertEquals(1f, corners[rc[0] * SIDE + rc[1]], Arrays.toString(rc));
        }
        assertEquals(0f, corners[4 * SIDE + 4]);
        assertEquals(0f, corners[4]);
        for (int i = 0; i < split.size(); i++) {
            assertArrayEquals(corners, Arrays.copyOfRange(split.masks(), i * F, (i + 1) * F), "example " + i);
        }
    }

    @Test
    void testPatchColourIsARandomDigitAndStrokesAreNotRecoloured() {
        int n = 1000;
        MnistSplit crafted = craftedTestImages(n);
        DataSplit split = DecoyMnist.build("d", train, crafted, 6, "").test();

        int[] digitCounts = new int[10];
        int sameAsLabel = 0;
        for (int i = 0; i < n; i++) {
            float[] image = Arrays.copyOfRange(split.inputs(), i * F, (i + 1) * F);
            int label = crafted.label(i);
            float labelColour = DecoyMnist.patchLevel(label);
            for (int r = 8; r < 20; r++) {
                for (int c = 8; c < 20; c++) {
                    assertEquals(labelColour, image[r * SIDE + c], "stroke pixel of example " + i + " was recoloured");
                }
            }
            int digit = patchDigit(image, i);
            digitCounts[digit]++;
            if (digit == label) {
                sameAsLabel++;
            }
        }
        for (int d = 0; d < 10; d++) {
            assertTrue(digitCounts[d] > 60 && digitCounts[d] < 140, "digit " + d + " drawn " + digitCounts[d] + " times");
        }
        assertTrue(sameAsLabel < 150, "the test patch colour must not follow the label: " + sameAsLabel + "/" + n);
    }

    @Test
    void sameSeedGivesIdenticalDataAndAnotherSeedAnotherPlacement() {
        ExplanationDataset a = DecoyMnist.build("d", train, test, 7, "");
        ExplanationDataset b = DecoyMnist.build("d", train, test, 7, "");
        ExplanationDataset c = DecoyMnist.build("d", train, test, 8, "");

        assertArrayEquals(a.train().inputs(), b.train().inputs());
        assertArrayEquals(a.train().masks(), b.train().masks());
        assertArrayEquals(a.test().inputs(), b.test().inputs());
        assertFalse(Arrays.equals(a.train().masks(), c.train().masks()), "another seed moves the train patches");
        assertFalse(Arrays.equals(a.test().inputs(), c.test().inputs()), "another seed changes the test patches");
    }

    @Test
    void rawInputIsNotMutated() {
        byte[] before = train.pixels().clone();
        DecoyMnist.build("d", train, test, 9, "");
        assertArrayEquals(before, train.pixels());
    }

    /** Black corners, a 12x12 block of the label's own swatch colour in the middle. */
    private static MnistSplit craftedTestImages(int n) {
        MnistSplit labels = IdxFixtures.randomSplit(n, SIDE, SIDE, 13);
        byte[] pixels = new byte[n * F];
        for (int i = 0; i < n; i++) {
            byte colour = (byte) (255 - 25 * labels.label(i));
            for (int r = 8; r < 20; r++) {
                Arrays.fill(pixels, i * F + r * SIDE + 8, i * F + r * SIDE + 20, colour);
            }
        }
        return new MnistSplit(n, SIDE, SIDE, pixels, labels.labels());
    }

    /** @return the digit whose colour fills the only non-black corner */
    private static int patchDigit(float[] image, int example) {
        int found = -1;
        for (int corner = 0; corner < 4; corner++) {
            int top = corner / 2 == 0 ? 0 : SIDE - 4;
            int left = corner % 2 == 0 ? 0 : SIDE - 4;
            float v = image[top * SIDE + left];
            if (v == 0f) {
                continue;
            }
            assertEquals(-1, found, "example " + example + " has more than one patch");
            for (int r = top; r < top + 4; r++) {
                for (int c = left; c < left + 4; c++) {
                    assertEquals(v, image[r * SIDE + c], "example " + example + ": the patch is not uniform");
                }
            }
            int digit = Math.round((255 - v * 255) / 25);
            assertEquals(DecoyMnist.patchLevel(digit), v, "example " + example + ": not a digit colour");
            found = digit;
        }
        assertTrue(found >= 0, "example " + example + " has no patch");
        return found;
    }

    private static int cornerOf(float[] mask) {
        boolean top = mask[0] == 1f || mask[SIDE - 1] == 1f;
        boolean left = mask[0] == 1f || mask[(SIDE - 1) * SIDE] == 1f;
        return (top ? 0 : 2) + (left ? 0 : 1);
    }

    private static float sum(float[] values) {
        float s = 0;
        for (float v : values) {
            s += v;
        }
        return s;
    }

    private static int[] labels(MnistSplit split) {
        int[] labels = new int[split.count()];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = split.label(i);
        }
        return labels;
    }
}
