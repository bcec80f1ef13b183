package dev.mlx.app.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.Locale;

/**
 * Draws one {@link Saliency} as three panels side by side, with java.awt:
 * <ol>
 *   <li>the input (grey, or RGB for three channels);</li>
 *   <li>the input with the outline of its explanation mask drawn over it in red (the boundary of the
 *       pixels whose mask is at least 0.5 in some channel, faintly tinted inside);</li>
 *   <li>the attribution heat map of the explained class, summed over channels, on a diverging scale
 *       symmetric around zero: white is 0, red is {@code +a}, blue is {@code -a}, with
 *       {@code a = max |attribution|} of this example; a colour bar on the right shows the scale.</li>
 * </ol>
 * Inputs are shown on {@code [min(0, min x), max(1, max x)]} mapped to black..white, so data in
 * {@code [0, 1]} keeps its absolute brightness. Pixels are enlarged by an integer factor so that the
 * longer side is about {@value #TARGET_SIDE} pixels (nearest neighbour, no smoothing).
 */
public final class SaliencyFigure {
    /** Approximate size in pixels of the longer side of each panel. */
    public static final int TARGET_SIDE = 168;
    static final int MARGIN = 12;
    static final int GAP = 14;
    private static final int TITLE = 22;
    private static final int CAPTION = 24;
    private static final int BAR = 14;
    private static final int BAR_LABELS = 70;
    static final Color OUTLINE = new Color(230, 20, 20);
    private static final Color TINT = new Color(255, 60, 60, 60);

    private SaliencyFigure() {}

    /**
     * @param s the example and its attribution
     * @param method the attribution method's name, for the heat map's title
     * @param splitName the split the example comes from (e.g. {@code "test"}), for the caption
     * @return the figure
     */
    public static BufferedImage render(Saliency s, String method, String splitName) {
        int scale = scale(s);
        int pw = s.width() * scale;
        int ph = s.height() * scale;
        int width = MARGIN + 3 * pw + 2 * GAP + GAP / 2 + BAR + BAR_LABELS + MARGIN;
        int height = MARGIN + TITLE + ph + CAPTION + MARGIN / 2;
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, width, height);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
            int top = MARGIN + TITLE;
            int x0 = MARGIN;
            int x1 = x0 + pw + GAP;
            int x2 = x1 + pw + GAP;
            BufferedImage input = inputImage(s);
            g.drawImage(input, x0, top, pw, ph, null);
            g.drawImage(input, x1, top, pw, ph, null);
            drawMask(g, s, x1, top, scale);
            float[] attribution = s.pixelAttribution();
            double a = maxAbs(attribution);
            g.drawImage(heatMap(attribution, s.width(), s.height(), a), x2, top, pw, ph, null);
            g.setColor(Color.GRAY);
            for (int x : new int[] {x0, x1, x2}) {
                g.drawRect(x - 1, top - 1, pw + 1, ph + 1);
            }
            drawColourBar(g, x2 + pw + GAP / 2, top, ph, a);
            g.setColor(Color.BLACK);
            drawTitle(g, "input", x0, pw);
            drawTitle(g, "mask outline", x1, pw);
            drawTitle(g, method + ", class " + s.explainedClass(), x2, pw);
            g.setColor(s.label() == s.predicted() ? new Color(20, 20, 20) : new Color(170, 0, 0));
            g.drawString(String.format(Locale.ROOT, "%s example %d: label %d, predicted %d%s", splitName, s.index(),
                    s.label(), s.predicted(), s.label() == s.predicted() ? "" : " (wrong)"), x0,
                    top + ph + CAPTION - 6);
        } finally {
            g.dispose();
        }
        return image;
    }

    /** @return the integer enlargement of the example's pixels */
    static int scale(Saliency s) {
        return Math.max(1, Math.round((float) TARGET_SIDE / Math.max(s.height(), s.width())));
    }

    /** Grey (or RGB) input, one pixel per feature. */
    static BufferedImage inputImage(Saliency s) {
        float[] x = s.input();
        float lo = 0f;
        float hi = 1f;
        for (float v : x) {
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
        }
        int w = s.width();
        int h = s.height();
        int hw = w * h;
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int p = 0; p < hw; p++) {
            int r = level(x[p], lo, hi);
            int gr = s.channels() == 3 ? level(x[hw + p], lo, hi) : r;
            int b = s.channels() == 3 ? level(x[2 * hw + p], lo, hi) : r;
            image.setRGB(p % w, p / w, (r << 16) | (gr << 8) | b);
        }
        return image;
    }

    private static int level(float v, float lo, float hi) {
        return Math.max(0, Math.min(255, Math.round(255 * (v - lo) / (hi - lo))));
    }

    /** Tints the masked pixels and draws each edge between a masked and an unmasked pixel (or the border). */
    private static void drawMask(Graphics2D g, Saliency s, int left, int top, int scale) {
        int w = s.width();
        int h = s.height();
        g.setColor(TINT);
        for (int p = 0; p < w * h; p++) {
            if (s.masked(p)) {
                g.fillRect(left + (p % w) * scale, top + (p / w) * scale, scale, scale);
            }
        }
        g.setColor(OUTLINE);
        g.setStroke(new BasicStroke(Math.max(1f, scale / 3f)));
        for (int r = 0; r < h; r++) {
            for (int c = 0; c < w; c++) {
                if (!s.masked(r * w + c)) {
                    continue;
                }
                int x = left + c * scale;
                int y = top + r * scale;
                if (r == 0 || !s.masked((r - 1) * w + c)) {
                    g.drawLine(x, y, x + scale, y);
                }
                if (r == h - 1 || !s.masked((r + 1) * w + c)) {
                    g.drawLine(x, y + scale, x + scale, y + scale);
                }
                if (c == 0 || !s.masked(r * w + c - 1)) {
                    g.drawLine(x, y, x, y + scale);
                }
                if (c == w - 1 || !s.masked(r * w + c + 1)) {
                    g.drawLine(x + scale, y, x + scale, y + scale);
                }
            }
        }
        g.setStroke(new BasicStroke(1f));
    }

    /** @return the heat map of {@code values} on the diverging scale {@code [-a, a]} */
    static BufferedImage heatMap(float[] values, int w, int h, double a) {
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int p = 0; p < w * h; p++) {
            image.setRGB(p % w, p / w, diverging(a == 0 ? 0 : values[p] / a));
        }
        return image;
    }

    /**
     * @param t a value in {@code [-1, 1]} (clamped)
     * @return the RGB colour: blue at -1, white at 0, red at +1, linear in between (the
     *     saturated ends slightly darkened)
     */
    static int diverging(double t) {
        double u = Math.max(-1, Math.min(1, t));
        int fade = (int) Math.round(255 * (1 - Math.abs(u)));
        int strong = (int) Math.round(255 - 75 * Math.abs(u));
        return u >= 0 ? (strong << 16) | (fade << 8) | fade : (fade << 16) | (fade << 8) | strong;
    }

    private static double maxAbs(float[] values) {
        double a = 0;
        for (float v : values) {
            a = Math.max(a, Math.abs(v));
        }
        return a;
    }

    private static void drawColourBar(Graphics2D g, int left, int top, int height, double a) {
        for (int y = 0; y < height; y++) {
            double t = 1 - 2.0 * y / Math.max(1, height - 1);
            g.setColor(new Color(diverging(t)));
            g.drawLine(left, top + y, left + BAR - 1, top + y);
        }
        g.setColor(Color.GRAY);
        g.drawRect(left - 1, top - 1, BAR + 1, height + 1);
        g.setColor(Color.BLACK);
        g.setFont(g.getFont().deriveFont(11f));
        FontMetrics fm = g.getFontMetrics();
        int lx = left + BAR + 4;
        g.drawString(String.format(Locale.ROOT, "+%.3g", a), lx, top + fm.getAscent());
        g.drawString("0", lx, top + height / 2 + fm.getAscent() / 2);
        g.drawString(String.format(Locale.ROOT, "-%.3g", a), lx, top + height);
        g.setFont(g.getFont().deriveFont(13f));
    }

    private static void drawTitle(Graphics2D g, String text, int left, int width) {
        FontMetrics fm = g.getFontMetrics();
        String shown = text;
        while (fm.stringWidth(shown) > width + GAP && shown.length() > 4) {
            shown = shown.substring(0, shown.length() - 2);
        }
        if (!shown.equals(text)) {
            shown = shown + "…";
        }
        g.drawString(shown, left + Math.max(0, (width - fm.stringWidth(shown)) / 2), MARGIN + TITLE - 7);
    }
}
