package dev.mlx.engine.testkit;

import ai.djl.ndarray.NDManager;

/**
 * Makes freed-memory reads visible: a garbage collection (which lets the JVM free the direct
 * buffers of closed, borrowed arrays) followed by many small allocations filled with a sentinel
 * (which reuse that memory). Run between a forward and a backward pass, a graph that still points
 * into a freed Java buffer then computes a different gradient instead of, most of the time, the
 * right one by luck.
 */
public final class GarbageChurn {
    /** The value written into the reused memory. */
    public static final double SENTINEL = -7.25;

    private GarbageChurn() {}

    /** @param manager a manager whose sub-manager holds the short-lived allocations */
    public static void run(NDManager manager) {
        System.gc();
        try {
            // the JVM frees direct buffers on its reference-handling thread, after the collection
            Thread.sleep(25);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        double[] d = new double[4];
        float[] f = new float[8];
        java.util.Arrays.fill(d, SENTINEL);
        java.util.Arrays.fill(f, (float) SENTINEL);
        try (NDManager churn = manager.newSubManager()) {
            for (int i = 0; i < 400; i++) {
                churn.create(d[0]);
                churn.create(d);
                churn.create(f);
            }
        }
    }
}
