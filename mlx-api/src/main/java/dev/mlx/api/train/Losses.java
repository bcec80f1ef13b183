package dev.mlx.api.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/** Engine-neutral loss helpers for regularizer authors. */
public final class Losses {
    private Losses() {}

    /**
     * Per-sample softmax cross-entropy on logits, {@code -log softmax(z)[y]}, computed with a
     * numerically stable log-softmax.
     *
     * @param logits shape {@code [B, C]}
     * @param labels shape {@code [B]}, integer classes
     * @return shape {@code [B]}
     */
    public static NDArray perSampleCrossEntropy(NDArray logits, NDArray labels) {
        NDArray logProbs = logits.logSoftmax(1);
        NDArray oneHot = labels.oneHot((int) logits.getShape().get(1)).toType(logits.getDataType(), false);
        return logProbs.mul(oneHot).sum(new int[] {1}).neg();
    }

    /**
     * Sum of squared entries of every tensor, {@code sum_W ||W||_F^2}.
     *
     * @param tensors the tensors (for example {@link Model#weights()})
     * @param like an array whose manager receives the result and every temporary (normally a
     *     batch array), so nothing is left on the parameters' manager
     * @return a scalar
     */
    public static NDArray sumOfSquares(Iterable<NDArray> tensors, NDArray like) {
        NDArray total = null;
        for (NDArray w : tensors) {
            NDArray squares = w.square();
            squares.attach(like.getManager());
            NDArray s = squares.sum();
            total = total == null ? s : total.add(s);
        }
        return total == null ? OwnedArrays.scalar(like.getManager(), 0, DataType.FLOAT32) : total;
    }
}
