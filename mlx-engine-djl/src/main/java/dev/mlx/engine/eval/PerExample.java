package dev.mlx.engine.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/** Copies a batch array {@code [B, ...]} to the host as one {@code double[F]} row per example. */
final class PerExample {
    private PerExample() {}

    /**
     * @param a an array {@code [B, ...]}
     * @return {@code B} rows of its flattened entries, in double precision
     */
    static double[][] rows(NDArray a) {
        int b = (int) a.getShape().get(0);
        double[] flat = a.toType(DataType.FLOAT64, false).toDoubleArray();
        int f = b == 0 ? 0 : flat.length / b;
        double[][] out = new double[b][f];
        for (int i = 0; i < b; i++) {
            System.arraycopy(flat, i * f, out[i], 0, f);
        }
        return out;
    }
}
