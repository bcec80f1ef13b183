package dev.mlx.engine.attribution;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.mlx.api.train.OwnedArrays;
import java.util.SplittableRandom;

/**
 * One random stream per example: row {@code b} of a call with seed {@code s} draws from
 * {@code new SplittableRandom(s + b)}, in the order of its points. So a caller that attributes a
 * split batch by batch and passes {@code s + offset} (the index of the batch's first example) gets
 * the same draws whatever its batch size, and the internal batch size never changes them.
 */
final class RowStreams {
    private final SplittableRandom[] streams;

    /**
     * @param seed the call's seed
     * @param rows the number of examples
     */
    RowStreams(long seed, int rows) {
        streams = new SplittableRandom[rows];
        for (int b = 0; b < rows; b++) {
            streams[b] = new SplittableRandom(seed + b);
        }
    }

    /**
     * Draws one point per example of {@code [from, to)}, {@code scale[b] * N(0, 1)} per feature.
     *
     * @param like the examples {@code [to - from, ...]}, giving shape, type and manager
     * @param from the first example
     * @param scale the standard deviation per example (all examples)
     * @return the noise, shape of {@code like}
     */
    NDArray gaussian(NDArray like, int from, double[] scale) {
        return draw(like, from, scale, true);
    }

    /**
     * Draws one point per example of {@code [from, to)}, uniform in {@code [0, 1)} per feature.
     *
     * @param like the examples {@code [to - from, ...]}, giving shape, type and manager
     * @param from the first example
     * @return the draws, shape of {@code like}
     */
    NDArray uniform(NDArray like, int from) {
        return draw(like, from, null, false);
    }

    private NDArray draw(NDArray like, int from, double[] scale, boolean gaussian) {
        Shape shape = like.getShape();
        int rows = (int) shape.get(0);
        int features = rows == 0 ? 0 : (int) (shape.size() / rows);
        double[] values = new double[rows * features];
        for (int r = 0; r < rows; r++) {
            SplittableRandom stream = streams[from + r];
            double s = gaussian ? scale[from + r] : 1;
            for (int f = 0; f < features; f++) {
                values[r * features + f] = gaussian ? s * stream.nextGaussian() : stream.nextDouble();
            }
        }
        return OwnedArrays.of(like.getManager(), values, shape, like.getDataType());
    }
}
