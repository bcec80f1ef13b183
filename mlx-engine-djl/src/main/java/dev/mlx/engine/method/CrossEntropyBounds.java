package dev.mlx.engine.method;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.mlx.api.train.Interval;

/**
 * Sound bounds on the derivative of the per-sample softmax cross-entropy with respect to the
 * logits, {@code dL/dz = softmax(z) - onehot(y)}, over a logit box {@code [z_L, z_U]}
 * (reference spec §3.3). Since {@code softmax(z)_i} increases with {@code z_i} and decreases with
 * every other logit:
 *
 * <pre>
 * p_L[i] = softmax(v)_i,  v_i = z_L[i], v_j = z_U[j] (j != i)
 * p_U[i] = softmax(w)_i,  w_i = z_U[i], w_j = z_L[j] (j != i)
 * dL/dz in [p_L - onehot(y), p_U - onehot(y)]
 * </pre>
 *
 * computed for all {@code i} at once with a {@code [B, C, C]} stack. Differentiable in the bounds.
 */
public final class CrossEntropyBounds {
    private CrossEntropyBounds() {}

    /**
     * @param logits the logit interval, shape {@code [B, C]}
     * @param labels the labels, shape {@code [B]}
     * @return the interval of {@code dL/dz}, shape {@code [B, C]}
     */
    public static Interval logitGradient(Interval logits, NDArray labels) {
        NDArray lower = logits.lower();
        NDArray upper = logits.upper();
        int classes = (int) lower.getShape().get(1);
        NDManager manager = lower.getManager();
        NDArray eye = manager.eye(classes).toType(lower.getDataType(), false);
        NDArray offDiagonal = eye.neg().add(1f);
        NDArray oneHot = labels.oneHot(classes).toType(lower.getDataType(), false);
        NDArray pLower = ownProbability(lower, upper, eye, offDiagonal);
        NDArray pUpper = ownProbability(upper, lower, eye, offDiagonal);
        return new Interval(pLower.sub(oneHot), pUpper.sub(oneHot));
    }

    /**
     * softmax over j of M[b,i,j] = (j == i ? own[b,i] : others[b,j]), read at j = i:
     * {@code exp(own[b,i] - s[b,i]) / sum_j exp(M[b,i,j] - s[b,i])} with the row maximum
     * {@code s = max_j M[b,i,j]}, as softmax computes it (libtorch's softmax kernel is slow on a last
     * axis of ten: about 20 times the cost of these operations). The shift is a constant for the
     * gradient (the value does not depend on it).
     */
    private static NDArray ownProbability(NDArray own, NDArray others, NDArray eye, NDArray offDiagonal) {
        NDArray stack = others.expandDims(1).mul(offDiagonal).add(own.expandDims(2).mul(eye));
        NDArray shift = stack.max(new int[] {2}, true).stopGradient();
        NDArray total = stack.sub(shift).exp().sum(new int[] {2});
        return own.sub(shift.squeeze(2)).exp().div(total);
    }
}
