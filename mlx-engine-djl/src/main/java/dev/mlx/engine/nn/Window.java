package dev.mlx.engine.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;

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
}
