package dev.mlx.vision.mnist;

import java.util.Arrays;

/**
 * Raw MNIST-style examples: {@code count} uint8 images of {@code rows x cols} pixels stored
 * row-major in {@code pixels}, and one uint8 label per image. The arrays are shared, not
 * copied (they hold tens of megabytes); treat them as read-only.
 *
 * @param count the number of examples
 * @param rows image height
 * @param cols image width
 * @param pixels {@code count * rows * cols} unsigned bytes
 * @param labels {@code count} unsigned bytes
 */
public record MnistSplit(int count, int rows, int cols, byte[] pixels, byte[] labels) {
    public MnistSplit {
        if (count < 0 || rows <= 0 || cols <= 0) {
            throw new IllegalArgumentException("invalid split: count=" + count + ", rows=" + rows + ", cols=" + cols);
        }
        if (pixels.length != (long) count * rows * cols || labels.length != count) {
            throw new IllegalArgumentException("split of " + count + " images " + rows + "x" + cols + " has "
                    + pixels.length + " pixels and " + labels.length + " labels");
        }
    }

    /** @return the label of example {@code i}, in {@code 0..255} */
    public int label(int i) {
        return labels[i] & 0xFF;
    }

    /** @return the pixel {@code (r, c)} of example {@code i}, in {@code 0..255} */
    public int pixel(int i, int r, int c) {
        return pixels[(i * rows + r) * cols + c] & 0xFF;
    }

    /**
     * @param limit the largest number of examples to keep; 0 keeps all
     * @return the first {@code limit} examples (this split itself if it has no more than that)
     */
    public MnistSplit first(int limit) {
        if (limit < 0) {
            throw new IllegalArgumentException("limit " + limit + " < 0");
        }
        if (limit == 0 || limit >= count) {
            return this;
        }
        return new MnistSplit(limit, rows, cols,
                Arrays.copyOf(pixels, limit * rows * cols), Arrays.copyOf(labels, limit));
    }

    /**
     * @param indices the examples to keep, in the order given
     * @return a split holding copies of those examples
     */
    public MnistSplit select(int[] indices) {
        int f = rows * cols;
        byte[] p = new byte[indices.length * f];
        byte[] l = new byte[indices.length];
        for (int k = 0; k < indices.length; k++) {
            System.arraycopy(pixels, indices[k] * f, p, k * f, f);
            l[k] = labels[indices[k]];
        }
        return new MnistSplit(indices.length, rows, cols, p, l);
    }

    @Override
    public String toString() {
        return "MnistSplit[" + count + " x " + rows + "x" + cols + "]";
    }
}
