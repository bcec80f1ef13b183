package dev.mlx.vision.io;

/**
 * An image held as floats in channel-major order ({@code [channels, height, width]}, values in
 * {@code [0, 1]}), the layout mlx's image datasets store.
 *
 * @param channels number of channels (3 for colour images, 1 for masks)
 * @param height rows
 * @param width columns
 * @param values {@code channels * height * width} values, channel-major then row-major
 */
public record Raster(int channels, int height, int width, float[] values) {
    public Raster {
        if ((long) channels * height * width != values.length) {
            throw new IllegalArgumentException(channels + "x" + height + "x" + width + " raster with " + values.length
                    + " values");
        }
    }

    /** @return the value at channel {@code c}, row {@code y}, column {@code x} */
    public float at(int c, int y, int x) {
        return values[(c * height + y) * width + x];
    }

    /**
     * Resizes every channel to {@code h x w} by bilinear interpolation with half-pixel centres
     * (source coordinate {@code (dst + 0.5) * src/dst - 0.5}, clamped to the image; no
     * anti-aliasing), the convention of PyTorch's {@code interpolate(align_corners=False)}.
     *
     * @return the resized raster, or this one if it already has that size
     */
    public Raster resizeBilinear(int h, int w) {
        if (h == height && w == width) {
            return this;
        }
        float[] out = new float[channels * h * w];
        double sy = (double) height / h;
        double sx = (double) width / w;
        for (int y = 0; y < h; y++) {
            double fy = Math.min(Math.max((y + 0.5) * sy - 0.5, 0), height - 1);
            int y0 = (int) Math.floor(fy);
            int y1 = Math.min(y0 + 1, height - 1);
            double wy = fy - y0;
            for (int x = 0; x < w; x++) {
                double fx = Math.min(Math.max((x + 0.5) * sx - 0.5, 0), width - 1);
                int x0 = (int) Math.floor(fx);
                int x1 = Math.min(x0 + 1, width - 1);
                double wx = fx - x0;
                for (int c = 0; c < channels; c++) {
                    double top = at(c, y0, x0) * (1 - wx) + at(c, y0, x1) * wx;
                    double bottom = at(c, y1, x0) * (1 - wx) + at(c, y1, x1) * wx;
                    out[(c * h + y) * w + x] = (float) (top * (1 - wy) + bottom * wy);
                }
            }
        }
        return new Raster(channels, h, w, out);
    }

    /**
     * Resizes every channel to {@code h x w} by nearest neighbour (source pixel
     * {@code floor((dst + 0.5) * src/dst)}), which keeps a binary mask binary and aligned with
     * the bilinearly resized image.
     *
     * @return the resized raster, or this one if it already has that size
     */
    public Raster resizeNearest(int h, int w) {
        if (h == height && w == width) {
            return this;
        }
        float[] out = new float[channels * h * w];
        for (int y = 0; y < h; y++) {
            int sy = Math.min((int) Math.floor((y + 0.5) * height / h), height - 1);
            for (int x = 0; x < w; x++) {
                int sx = Math.min((int) Math.floor((x + 0.5) * width / w), width - 1);
                for (int c = 0; c < channels; c++) {
                    out[(c * h + y) * w + x] = at(c, sy, sx);
                }
            }
        }
        return new Raster(channels, h, w, out);
    }

    /** @return this single-channel raster repeated to {@code n} channels */
    public Raster repeatChannels(int n) {
        if (channels != 1) {
            throw new IllegalArgumentException("only a single-channel raster can be repeated, not " + channels);
        }
        float[] out = new float[n * values.length];
        for (int c = 0; c < n; c++) {
            System.arraycopy(values, 0, out, c * values.length, values.length);
        }
        return new Raster(n, height, width, out);
    }
}
