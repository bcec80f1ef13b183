package dev.mlx.vision.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mlx.api.error.MlxException;
import dev.mlx.vision.fixtures.ImageFixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RasterAndSplitTest {
    @TempDir
    Path dir;

    @Test
    void pngRoundTripsChannelMajorRgbAndGreyMasks() throws IOException {
        Path img = ImageFixtures.png(dir.resolve("a.png"), 3, 2, (x, y) -> (x * 50) << 16 | (y * 100) << 8 | 7);
        Raster r = ImageFiles.readRgb(img);
        assertEquals(3, r.channels());
        assertEquals(2, r.height());
        assertEquals(3, r.width());
        assertEquals(100 / 255f, r.at(0, 1, 2), 1e-6);
        assertEquals(100 / 255f, r.at(1, 1, 0), 1e-6);
        assertEquals(7 / 255f, r.at(2, 0, 0), 1e-6);
        Path m = ImageFixtures.mask(dir.resolve("m.png"), 3, 2, (x, y) -> x == 1 ? 1 : 0);
        Raster mask = ImageFiles.readMask(m);
        assertArrayEquals(new float[] {0, 1, 0, 0, 1, 0}, mask.values());
    }

    @Test
    void baselineJpegIsReadToo() throws IOException {
        Path jpg = ImageFixtures.png(dir.resolve("grey.jpg"), 16, 16, (x, y) -> 0x808080);
        Raster r = ImageFiles.readRgb(jpg);
        for (float v : r.values()) {
            assertEquals(128 / 255f, v, 3 / 255f);
        }
    }

    @Test
    void bilinearKeepsConstantsAndAveragesOnHalvingNearestKeepsMasksBinary() {
        Raster r = new Raster(1, 2, 4, new float[] {0, 1, 2, 3, 4, 5, 6, 7});
        Raster half = r.resizeBilinear(1, 2);
        // half-pixel centres: output (0,0) samples source (0.5, 0.5) = mean of 0,1,4,5
        assertArrayEquals(new float[] {2.5f, 4.5f}, half.values(), 1e-6f);
        Raster constant = new Raster(1, 3, 3, new float[] {.4f, .4f, .4f, .4f, .4f, .4f, .4f, .4f, .4f});
        for (float v : constant.resizeBilinear(7, 5).values()) {
            assertEquals(.4f, v, 1e-6f);
        }
        Raster mask = new Raster(1, 2, 2, new float[] {1, 0, 0, 1});
        Raster up = mask.resizeNearest(4, 4);
        assertArrayEquals(new float[] {1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 1, 1, 0, 0, 1, 1}, up.values());
        assertEquals(3, mask.repeatChannels(3).channels());
    }

    @Test
    void unreadableImageAndSizeMismatchNameTheFiles() throws IOException {
        Path bad = Files.writeString(dir.resolve("broken.png"), "not a png");
        MlxException e = assertThrows(MlxException.class, () -> ImageFiles.readRgb(bad));
        assertTrue(e.getMessage().contains("broken.png") && e.getMessage().contains("re-save"), e.getMessage());
        Raster image = new Raster(3, 4, 4, new float[48]);
        Raster mask = new Raster(1, 4, 5, new float[20]);
        MlxException size = assertThrows(MlxException.class,
                () -> ImageFiles.requireSameSize(Path.of("i.png"), image, Path.of("m.png"), mask));
        assertTrue(size.getMessage().contains("5x4") && size.getMessage().contains("4x4")
                && size.getMessage().contains("m.png"), size.getMessage());
    }

    @Test
    void stratifiedSplitIsDisjointCoveringSeededAndPerStratum() {
        int[] strata = new int[100];
        for (int i = 0; i < 100; i++) {
            strata[i] = i < 80 ? 0 : 1;
        }
        boolean[] a = StratifiedSplit.testMembership(strata, 0.25, 7);
        boolean[] b = StratifiedSplit.testMembership(strata, 0.25, 7);
        boolean[] c = StratifiedSplit.testMembership(strata, 0.25, 8);
        assertArrayEquals(a, b);
        assertFalse(java.util.Arrays.equals(a, c));
        int test0 = 0;
        int test1 = 0;
        for (int i = 0; i < 100; i++) {
            if (a[i]) {
                if (strata[i] == 0) {
                    test0++;
                } else {
                    test1++;
                }
            }
        }
        assertEquals(20, test0);
        assertEquals(5, test1);
        // a two-example stratum keeps one example on each side even at a small fraction
        boolean[] tiny = StratifiedSplit.testMembership(new int[] {3, 3}, 0.1, 1);
        assertTrue(tiny[0] ^ tiny[1]);
        assertThrows(MlxException.class, () -> StratifiedSplit.testMembership(strata, 1.0, 1));
    }
}
