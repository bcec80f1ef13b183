package dev.mlx.engine.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;

/**
 * A rectangle of a feature map's positions: rows {@code [r0, r1)}, columns {@code [c0, c1)}; the part of
 * each layer that a masked input gradient on a convolutional network needs ({@code Network}).
 *
 * @param r0 first row
 * @param r1 end row (exclusive)
 * @param c0 first column
 * @param c1 end column (exclusive)
 */
record Window(long r0, long r1, long c0, long c1) {
    /** @return the number of positions */
    long area() {
        return (r1 - r0) * (c1 - c0);
    }

    /**
     * @param a an array {@code [B, C, H, W]}
     * @return its part on this window (a view)
     */
    NDArray of(NDArray a) {
        return a.get(new NDIndex(":, :, {}:{}, {}:{}", r0, r1, c0, c1));
    }

    /** @return {@code window} placed in zeros of {@code shape} (concatenations, so the result stays differentiable) */
    static NDArray embed(NDArray window, Window w, Shape shape) {
        NDArray rows = padZeros(window, 2, w.r0(), shape.get(2) - w.r1());
        return padZeros(rows, 3, w.c0(), shape.get(3) - w.c1());
    }

    /** @return {@code a} with {@code before} and {@code after} zeros added along {@code axis} (a concatenation) */
    static NDArray padZeros(NDArray a, int axis, long before, long after) {
        if (before == 0 && after == 0) {
            return a;
        }
        ai.djl.ndarray.NDList parts = new ai.djl.ndarray.NDList();
        if (before > 0) {
            long[] head = a.getShape().getShape();
            head[axis] = before;
            parts.add(a.getManager().zeros(new Shape(head), a.getDataType()));
        }
        parts.add(a);
        if (after > 0) {
            long[] tail = a.getShape().getShape();
            tail[axis] = after;
            parts.add(a.getManager().zeros(new Shape(tail), a.getDataType()));
        }
        return ai.djl.ndarray.NDArrays.concat(parts, axis);
    }

    /**
     * @param widths non-negative values {@code [B, C, H, W]} (a box's widths)
     * @param share the largest share of the image worth a window
     * @return {@link #bounding} of {@code widths} if it covers at most {@code share} of the image, else {@code null}
     */
    static Window small(NDArray widths, double share) {
        Shape shape = widths.getShape();
        Window box = bounding(widths);
        return box == null || box.area() > share * shape.get(2) * shape.get(3) ? null : box;
    }

    /** @return the bounding box of the mask's non-zero positions over the batch and channels, or {@code null} if none (two host reads) */
    static Window bounding(NDArray mask) {
        NDArray any = mask.abs().sum(new int[] {0, 1});
        boolean[] rows = any.sum(new int[] {1}).gt(0).toBooleanArray();
        boolean[] cols = any.sum(new int[] {0}).gt(0).toBooleanArray();
        int r0 = first(rows);
        int c0 = first(cols);
        if (r0 < 0 || c0 < 0) {
            return null;
        }
        return new Window(r0, last(rows) + 1, c0, last(cols) + 1);
    }

    private static int first(boolean[] a) {
        for (int i = 0; i < a.length; i++) {
            if (a[i]) {
                return i;
            }
        }
        return -1;
    }

    private static int last(boolean[] a) {
        for (int i = a.length - 1; i >= 0; i--) {
            if (a[i]) {
                return i;
            }
        }
        return -1;
    }


    /**
     * @param full an array {@code [B, C, H, W]}
     * @param window the values to put on {@code w}, {@code [B, C, w rows, w columns]}
     * @param w the window
     * @return {@code full} with {@code w} replaced by {@code window} (concatenations, differentiable in both)
     */
    static NDArray paste(NDArray full, NDArray window, Window w) {
        long h = full.getShape().get(2);
        long width = full.getShape().get(3);
        ai.djl.ndarray.NDList row = new ai.djl.ndarray.NDList();
        if (w.c0() > 0) {
            row.add(full.get(new NDIndex(":, :, {}:{}, 0:{}", w.r0(), w.r1(), w.c0())));
        }
        row.add(window);
        if (w.c1() < width) {
            row.add(full.get(new NDIndex(":, :, {}:{}, {}:", w.r0(), w.r1(), w.c1())));
        }
        NDArray middle = row.size() == 1 ? window : ai.djl.ndarray.NDArrays.concat(row, 3);
        ai.djl.ndarray.NDList rows = new ai.djl.ndarray.NDList();
        if (w.r0() > 0) {
            rows.add(full.get(new NDIndex(":, :, 0:{}, :", w.r0())));
        }
        rows.add(middle);
        if (w.r1() < h) {
            rows.add(full.get(new NDIndex(":, :, {}:, :", w.r1())));
        }
        return rows.size() == 1 ? middle : ai.djl.ndarray.NDArrays.concat(rows, 2);
    }

    /**
     * @param shape a feature map's shape {@code [B, C, H, W]}
     * @param manager where to create the indices
     * @return the int64 indices of this window's positions in the flattened map, channel by channel and
     *     row by row (so a {@code [B, K]} array of them reshapes to {@code [B, C, rows, columns]})
     */
    NDArray flatColumns(Shape shape, NDManager manager) {
        long c = shape.get(1);
        long h = shape.get(2);
        long w = shape.get(3);
        long[] idx = new long[Math.toIntExact(c * area())];
        int n = 0;
        for (long ch = 0; ch < c; ch++) {
            for (long r = r0; r < r1; r++) {
                for (long col = c0; col < c1; col++) {
                    idx[n++] = (ch * h + r) * w + col;
                }
            }
        }
        return dev.mlx.api.train.OwnedArrays.of(manager, idx);
    }

    /**
     * @param flat {@code [B, C * rows * columns]}, as {@link #flatColumns} orders them
     * @param channels {@code C}
     * @return {@code [B, C, rows, columns]}
     */
    NDArray unflatten(NDArray flat, long channels) {
        return flat.reshape(flat.getShape().get(0), channels, r1 - r0, c1 - c0);
    }
}
