package dev.mlx.text.method;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.mlx.api.train.OwnedArrays;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Token ids and masks of a batch as Java arrays, for building substituted copies of sequences:
 * which positions hold real tokens, which are masked, and back to an engine array.
 */
final class TokenRows {
    private TokenRows() {}

    /** @return the ids {@code [B, L]} as rows */
    static long[][] ids(NDArray ids) {
        long[] flat = ids.toType(DataType.INT64, false).toLongArray();
        int b = (int) ids.getShape().get(0);
        int length = (int) ids.getShape().get(1);
        long[][] rows = new long[b][length];
        for (int i = 0; i < b; i++) {
            System.arraycopy(flat, i * length, rows[i], 0, length);
        }
        return rows;
    }

    /** @return the masks {@code [B, L]} as rows */
    static float[][] masks(NDArray masks) {
        float[] flat = masks.toType(DataType.FLOAT32, false).toFloatArray();
        int b = (int) masks.getShape().get(0);
        int length = (int) masks.getShape().get(1);
        float[][] rows = new float[b][length];
        for (int i = 0; i < b; i++) {
            System.arraycopy(flat, i * length, rows[i], 0, length);
        }
        return rows;
    }

    /** @return the positions of {@code row} whose mask is positive */
    static int[] masked(float[] row) {
        List<Integer> p = new ArrayList<>();
        for (int t = 0; t < row.length; t++) {
            if (row[t] > 0) {
                p.add(t);
            }
        }
        return p.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * @return the positions holding real tokens, without the first and the last one (BERT's
     *     {@code [CLS]} and {@code [SEP]}), which substitutions must keep
     */
    static int[] inner(long[] row, long padId) {
        List<Integer> p = new ArrayList<>();
        for (int t = 0; t < row.length; t++) {
            if (row[t] != padId) {
                p.add(t);
            }
        }
        if (p.size() <= 2) {
            return new int[0];
        }
        return p.subList(1, p.size() - 1).stream().mapToInt(Integer::intValue).toArray();
    }

    /** @return the distinct ids found at masked positions, in order of appearance */
    static long[] maskedIds(long[][] ids, float[][] masks) {
        Set<Long> set = new LinkedHashSet<>();
        for (int i = 0; i < ids.length; i++) {
            for (int t : masked(masks[i])) {
                set.add(ids[i][t]);
            }
        }
        return set.stream().mapToLong(Long::longValue).toArray();
    }

    /** @return the rows as a float array {@code [n, L]} (the batch's input type) on {@code manager} */
    static NDArray array(NDManager manager, long[][] rows) {
        int length = rows.length == 0 ? 0 : rows[0].length;
        float[] flat = new float[rows.length * length];
        for (int i = 0; i < rows.length; i++) {
            for (int t = 0; t < length; t++) {
                flat[i * length + t] = rows[i][t];
            }
        }
        return OwnedArrays.of(manager, flat, new Shape(rows.length, length), DataType.FLOAT32);
    }

    /** @return the mask rows as a float array {@code [n, L]} on {@code manager} */
    static NDArray array(NDManager manager, float[][] rows) {
        int length = rows.length == 0 ? 0 : rows[0].length;
        float[] flat = new float[rows.length * length];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(rows[i], 0, flat, i * length, length);
        }
        return OwnedArrays.of(manager, flat, new Shape(rows.length, length), DataType.FLOAT32);
    }
}
