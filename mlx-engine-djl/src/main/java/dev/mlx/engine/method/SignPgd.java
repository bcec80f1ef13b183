package dev.mlx.engine.method;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import dev.mlx.api.param.HyperParameters;
import dev.mlx.api.train.Losses;
import dev.mlx.api.train.Model;
import dev.mlx.api.train.OwnedArrays;
import dev.mlx.api.train.Scalars;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Projected gradient ascent with sign steps (PGD, Madry et al., ICLR 2018), shared by the
 * adversarial regularizers ({@code pgd-at}, {@code pgd-ex}, {@code ig-norm}, {@code ig-sum-norm}).
 *
 * <pre>
 * box      = [x - r, x + r],  r = epsilon (l-inf ball) or epsilon * m (masked box)
 * x_0      = x, or a uniform random point of the box (randomStart), clipped to [0, 1] if clamp
 * x_{t+1}  = clip_box(x_t + stepSize * sign(d(x_t)))   (then clipped to [0, 1] if clamp)
 * </pre>
 *
 * where {@code d} is the gradient of the attack objective ({@link AscentDirection}). The objective
 * must be a sum of per-example terms: the batch is attacked in independent chunks of examples.
 * Every step runs in a sub-manager closed at once, so the autograd graph of the direction is freed
 * and nothing accumulates across steps; the result is detached.
 *
 * @param epsilon the radius
 * @param steps the number of steps after the start
 * @param stepSize the step size
 * @param clamp whether to clip every point to the pixel range {@code [0, 1]}
 * @param randomStart whether to start at a uniform random point of the box instead of {@code x}
 */
record SignPgd(double epsilon, int steps, double stepSize, boolean clamp, boolean randomStart) {

    /** The l-inf attack of {@code pgd-at} and the IG methods: epsilon, steps, step-size, clamp; random start. */
    static SignPgd from(HyperParameters p) {
        return new SignPgd(p.getDouble("epsilon"), p.getInt("steps"), p.getDouble("step-size"), p.getBoolean("clamp"),
                true);
    }

    /** The ascent direction of an attack: any tensor whose element-wise sign is the step. */
    @FunctionalInterface
    interface AscentDirection {
        /**
         * @param x the clean inputs of the chunk (constants)
         * @param labels their labels
         * @param xAdv the current attack point (detached)
         * @return the gradient of the attack objective with respect to {@code xAdv} (its graph is
         *     discarded after the step)
         */
        NDArray gradient(NDArray x, NDArray labels, NDArray xAdv);
    }

    /** The direction of the cross-entropy attack: {@code grad_x' CE(f(x'), y)}. */
    static AscentDirection crossEntropy(Model model) {
        return (xs, ys, ps) -> model.inputGradient(ps, logits -> Losses.perSampleCrossEntropy(logits, ys)).gradient();
    }

    /**
     * @param x the inputs {@code [B, ...]}
     * @param masks the masks for a masked box, or {@code null} for the l-inf ball
     * @param labels the labels {@code [B]}
     * @param seed the seed of the random start (one draw for the whole batch, so the result
     *     does not depend on the chunking)
     * @param examplesPerChunk examples per attack chunk, {@code 0} = all
     * @param direction the ascent direction
     * @return the attack points, detached, on {@code x}'s manager
     */
    NDArray run(NDArray x, NDArray masks, NDArray labels, long seed, int examplesPerChunk, AscentDirection direction) {
        NDArray radius = masks == null ? null : scale(masks, epsilon);
        NDArray start = randomStart ? randomStart(x, radius, seed) : x.duplicate();
        int b = (int) x.getShape().get(0);
        int size = examplesPerChunk <= 0 ? b : Math.min(b, examplesPerChunk);
        List<NDArray> parts = new ArrayList<>();
        for (int from = 0; from < b; from += size) {
            int to = Math.min(b, from + size);
            NDArray xc = rows(x, from, to);
            NDArray rc = radius == null ? null : rows(radius, from, to);
            NDArray yc = rows(labels, from, to);
            NDArray xAdv = rows(start, from, to);
            for (int t = 0; t < steps; t++) {
                xAdv = step(xc, rc, yc, xAdv, direction);
            }
            parts.add(xAdv);
        }
        return parts.size() == 1 ? parts.get(0) : NDArrays.concat(new NDList(parts), 0);
    }

    /** {@code x + U(-1, 1) * r} (r = epsilon or the masked radius), clipped if clamp, from {@code seed} only. */
    NDArray randomStart(NDArray x, NDArray radius, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int n = Math.toIntExact(x.size());
        NDManager manager = x.getManager();
        NDArray unit;
        if (x.getDataType() == DataType.FLOAT64) {
            double[] d = new double[n];
            for (int i = 0; i < n; i++) {
                d[i] = random.nextDouble() * 2 - 1;
            }
            unit = OwnedArrays.of(manager, d, x.getShape(), DataType.FLOAT64);
        } else {
            float[] f = new float[n];
            for (int i = 0; i < n; i++) {
                f[i] = (float) (random.nextDouble() * 2 - 1);
            }
            unit = OwnedArrays.of(manager, f, x.getShape(), x.getDataType());
        }
        NDArray start = x.add(radius == null ? scale(unit, epsilon) : unit.mul(radius));
        return clamp ? start.clip(0, 1) : start;
    }

    /** One projected sign step, in a sub-manager that is closed at once. */
    private NDArray step(NDArray x, NDArray radius, NDArray labels, NDArray xAdv, AscentDirection direction) {
        NDManager outer = xAdv.getManager();
        try (NDManager scope = outer.newSubManager()) {
            NDArray xs = copy(x, scope);
            NDArray ys = copy(labels, scope);
            NDArray ps = copy(xAdv, scope);
            NDArray g = direction.gradient(xs, ys, ps).stopGradient();
            NDArray next = scale(g.sign(), stepSize).add(ps);
            if (radius == null) {
                next = next.minimum(shift(xs, epsilon)).maximum(shift(xs, -epsilon));
            } else {
                NDArray r = copy(radius, scope);
                next = next.minimum(xs.add(r)).maximum(xs.sub(r));
            }
            if (clamp) {
                next = next.clip(0, 1);
            }
            next.attach(outer);
            return next;
        }
    }

    private static NDArray copy(NDArray a, NDManager scope) {
        NDArray c = a.duplicate();
        c.attach(scope);
        return c;
    }

    /** {@code a * s} in {@code a}'s data type (a float64 array is scaled in double precision). */
    static NDArray scale(NDArray a, double s) {
        return Scalars.times(a, s);
    }

    /** {@code a + s} in {@code a}'s data type (a float64 array is shifted in double precision). */
    static NDArray shift(NDArray a, double s) {
        return a.getDataType() == DataType.FLOAT64 ? a.add(s) : a.add((float) s);
    }

    /** Rows {@code [from, to)} of {@code a} (a view on {@code a}'s manager). */
    static NDArray rows(NDArray a, int from, int to) {
        if (from == 0 && to == a.getShape().get(0)) {
            return a;
        }
        return a.get(new NDIndex("{}:{}", from, to));
    }
}
