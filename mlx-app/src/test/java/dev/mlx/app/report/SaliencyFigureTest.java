package dev.mlx.app.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mlx.api.error.ErrorKind;
import dev.mlx.api.error.MlxException;
import java.awt.image.BufferedImage;
import org.junit.jupiter.api.Test;

/** Saliency figures: the heat map's colours, the mask outline's place, the input's grey levels, bad shapes. */
class SaliencyFigureTest {
    private static final int SIDE = 8;
    private static final int RED = 0xB40000;
    private static final int BLUE = 0x0000B4;

    /** An 8x8 example: mask on the top-left 2x2, attribution +2 at (row 5, col 5) and -2 at (6, 6). */
    private static Saliency example() {
        float[] input = new float[SIDE * SIDE];
        float[] mask = new float[SIDE * SIDE];
        float[] attribution = new float[SIDE * SIDE];
        input[SIDE + 1] = 1f;
        input[2 * SIDE + 2] = 0.5f;
        for (int r = 0; r < 2; r++) {
            for (int c = 0; c < 2; c++) {
                mask[r * SIDE + c] = 1f;
            }
        }
        attribution[5 * SIDE + 5] = 2f;
        attribution[6 * SIDE + 6] = -2f;
        attribution[7 * SIDE + 7] = 1f;
        return new Saliency(17, 3, 1, 3, new int[] {1, SIDE, SIDE}, input, mask, attribution);
    }

    @Test
    void theDivergingScaleIsBlueWhiteRed() {
        assertEquals(0xFFFFFF, SaliencyFigure.diverging(0));
        assertEquals(RED, SaliencyFigure.diverging(1));
        assertEquals(BLUE, SaliencyFigure.diverging(-1));
        assertEquals(RED, SaliencyFigure.diverging(7), "clamped");
        int half = SaliencyFigure.diverging(0.5);
        assertTrue((half >> 16 & 0xff) > (half & 0xff), "half way is still reddish");
    }

    @Test
    void theHeatMapIsScaledByTheLargestMagnitude() {
        Saliency s = example();
        BufferedImage heat = SaliencyFigure.heatMap(s.pixelAttribution(), SIDE, SIDE, 2.0);
        assertEquals(RED, heat.getRGB(5, 5) & 0xFFFFFF);
        assertEquals(BLUE, heat.getRGB(6, 6) & 0xFFFFFF);
        assertEquals(SaliencyFigure.diverging(0.5), heat.getRGB(7, 7) & 0xFFFFFF);
        assertEquals(0xFFFFFF, heat.getRGB(0, 0) & 0xFFFFFF);
    }

    @Test
    void theInputKeepsItsGreyLevels() {
        BufferedImage input = SaliencyFigure.inputImage(example());
        assertEquals(0xFFFFFF, input.getRGB(1, 1) & 0xFFFFFF);
        assertEquals(0x808080, input.getRGB(2, 2) & 0xFFFFFF);
        assertEquals(0, input.getRGB(3, 3) & 0xFFFFFF);
    }

    @Test
    void theFigureShowsTheMaskOutlineInTheMiddlePanelAndTheHeatMapOnTheRight() {
        Saliency s = example();
        BufferedImage figure = SaliencyFigure.render(s, "input-gradient", "test");
        int scale = SaliencyFigure.scale(s);
        int panel = SIDE * scale;
        int middleLeft = SaliencyFigure.MARGIN + panel + SaliencyFigure.GAP;
        int rightLeft = middleLeft + panel + SaliencyFigure.GAP;
        int outline = SaliencyFigure.OUTLINE.getRGB() & 0xFFFFFF;
        int outlinePixels = 0;
        int minX = Integer.MAX_VALUE;
        int maxX = -1;
        int red = 0;
        int blue = 0;
        for (int y = 0; y < figure.getHeight(); y++) {
            for (int x = 0; x < figure.getWidth(); x++) {
                int rgb = figure.getRGB(x, y) & 0xFFFFFF;
                if (rgb == outline) {
                    outlinePixels++;
                    minX = Math.min(minX, x);
                    maxX = Math.max(maxX, x);
                }
                if (rgb == RED && x >= rightLeft && x < rightLeft + panel) {
                    red++;
                }
                if (rgb == BLUE && x >= rightLeft && x < rightLeft + panel) {
                    blue++;
                }
            }
        }
        assertTrue(outlinePixels > 4 * 2 * scale, "the 2x2 mask's outline is drawn: " + outlinePixels);
        int halfStroke = scale / 6 + 2;
        assertTrue(minX >= middleLeft - halfStroke && maxX <= middleLeft + 2 * scale + halfStroke,
                "the outline surrounds the top-left 2x2 patch of the middle panel: x in [" + minX + ", " + maxX + "]");
        assertEquals(scale * scale, red, "one enlarged pixel at +max");
        assertEquals(scale * scale, blue, "one enlarged pixel at -max");
    }

    @Test
    void channelsAreSummedAndBadExamplesAreUserErrors() {
        float[] three = new float[3 * 4];
        float[] attr = new float[3 * 4];
        attr[1] = 1f;
        attr[4 + 1] = 2f;
        attr[8 + 1] = -0.5f;
        Saliency rgb = new Saliency(0, 0, 0, 0, new int[] {3, 2, 2}, three, three, attr);
        assertArrayEquals(new float[] {0, 2.5f, 0, 0}, rgb.pixelAttribution());
        MlxException text = assertThrows(MlxException.class,
                () -> new Saliency(4, 0, 0, 0, new int[] {10}, new float[10], new float[10], new float[10]));
        assertEquals(ErrorKind.USER, text.kind());
        assertTrue(text.getMessage().contains("example 4 has shape [10]"), text.getMessage());
        float[] nan = new float[4];
        nan[2] = Float.NaN;
        MlxException bad = assertThrows(MlxException.class,
                () -> new Saliency(5, 0, 0, 0, new int[] {2, 2}, new float[4], new float[4], nan));
        assertTrue(bad.getMessage().contains("example 5 is NaN at feature 2"), bad.getMessage());
        assertThrows(MlxException.class,
                () -> new Saliency(6, 0, 0, 0, new int[] {2, 2}, new float[4], new float[3], new float[4]));
    }
}
