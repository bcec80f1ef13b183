package dev.mlx.engine.attribution;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.mlx.api.param.ParameterSchema;
import java.util.List;

/**
 * How the {@code examples x points} rows of a path or noise method are split into forward passes of
 * at most {@code internal-batch-size} rows: with {@code R} the internal batch size, {@code B} the
 * examples and {@code P} the points per example,
 *
 * <pre>
 * R = 0 or R >= B * P : one pass of all B * P rows
 * R >= B              : all B examples, floor(R / B) points per pass
 * R <  B              : R examples, one point per pass
 * </pre>
 *
 * Every pass stacks its points along axis 0, point-major ({@code row = point * examples + example}).
 * The split changes only memory and speed: the sums over points are the same.
 *
 * @param examplesPerPass examples per pass
 * @param pointsPerPass points per pass
 */
record RowChunks(int examplesPerPass, int pointsPerPass) {

    /** The name of the parameter bounding the rows per pass. */
    static final String PARAMETER = "internal-batch-size";

    /**
     * Declares the {@code internal-batch-size} parameter.
     *
     * @param builder the schema under construction
     * @return the builder
     */
    static ParameterSchema.Builder declare(ParameterSchema.Builder builder) {
        return builder.addInt(PARAMETER, 1000, 0, Integer.MAX_VALUE,
                "rows (examples x points) per forward pass; 0 = all at once; the result does not depend on it");
    }

    /**
     * @param rows the internal batch size {@code R}, {@code 0} = unbounded
     * @param examples {@code B}
     * @param points {@code P}
     * @return the plan
     */
    static RowChunks plan(int rows, int examples, int points) {
        int b = Math.max(1, examples);
        if (rows <= 0 || (long) rows >= (long) b * points) {
            return new RowChunks(b, points);
        }
        if (rows >= b) {
            return new RowChunks(b, Math.max(1, Math.min(points, rows / b)));
        }
        return new RowChunks(rows, 1);
    }

    /**
     * @param array an array {@code [B, ...]}
     * @param from the first row
     * @param to the end row (exclusive)
     * @return rows {@code [from, to)}, or {@code array} itself when that is all of it
     */
    static NDArray rows(NDArray array, int from, int to) {
        if (from == 0 && to == array.getShape().get(0)) {
            return array;
        }
        return array.get(new NDIndex("{}:{}", from, to));
    }

    /**
     * @param parts arrays to stack along axis 0
     * @return their concatenation (the single part itself if there is one)
     */
    static NDArray concat(List<NDArray> parts) {
        return parts.size() == 1 ? parts.get(0) : NDArrays.concat(new NDList(parts), 0);
    }

    /**
     * @param count the number of stacked points
     * @param shape the shape of one point's rows {@code [E, ...]}
     * @return {@code [count, E, ...]}, the shape that separates the points of a pass again
     */
    static Shape stacked(int count, Shape shape) {
        long[] dims = new long[shape.dimension() + 1];
        dims[0] = count;
        for (int i = 0; i < shape.dimension(); i++) {
            dims[i + 1] = shape.get(i);
        }
        return new Shape(dims);
    }
}
