package dev.mlx.api.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/** Engine-neutral loss helpers for regularizer authors. */
public final class Losses {
    private Losses() {}

    /**
     * Per-sample softmax cross-entropy on logits, {@code -log softmax(z)[y]}, computed with a
     * numerically stable log-softmax. The label's log-probability is read with a gather (not a
     * product with a one-hot matrix and a sum over classes, which gives the same value and gradient
     * with three more passes over {@code [B, C]}, and NaN when another class's log-probability is
     * {@code -inf}).
     *
     * @param logits shape {@code [B, C]}
     * @param labels shape {@code [B]}, integer classes
     * @return shape {@code [B]}
     */
    public static NDArray perSampleCrossEntropy(NDArray logits, NDArray labels) {
        NDArray logProbs = logits.logSoftmax(1);
        NDArray index = labels.getDataType() == DataType.INT64 ? labels : labels.toType(DataType.INT64, false);
        return logProbs.gather(index.reshape(-1, 1), 1).reshape(-1).neg();
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
