package dev.mlx.engine.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.mlx.api.param.HyperParameters;
import dev.mlx.api.param.ParameterSchema;
import dev.mlx.api.train.OwnedArrays;
import dev.mlx.api.train.Scalars;
import java.util.SplittableRandom;

/**
 * Projected gradient ascent with sign steps in the l-inf ball, for evaluation (PGD, Madry, Makelov,
 * Schmidt, Tsipras and Vladu, "Towards Deep Learning Models Resistant to Adversarial Attacks", ICLR
 * 2018):
 *
 * <pre>
 * x_0     = x                       or, with random-start, x + U(-eps, eps)^F
 * x_{t+1} = P(x_t + a * sign(d(x_t)))       t = 0 .. steps-1
 * P(v)    = clip(min(max(v, x - eps), x + eps), 0, 1)      (the [0, 1] clip only with clamp)
 * a       = step-size, or 2.5 * eps / steps when step-size = 0 (Madry et al.'s rule)
 * </pre>
 *
 * {@code d} is the gradient of the attack objective ({@link Direction}). An optional
 * {@link Acceptance} rejects points per example (for instance a changed prediction): a rejected
 * example stays where it was. The random start of example {@code j} of the split comes from its own
 * stream (seeded from the seed and {@code j}), so the attack does not depend on the batch size. Every
 * step runs in a sub-manager closed at once; the result is detached.
 *
 * @param epsilon the radius {@code eps}
 * @param steps the number of steps
 * @param stepSize {@code a}, already resolved
 * @param randomStart whether to start at a uniform point of the ball
 * @param clamp whether to keep every point in {@code [0, 1]}
 */
record PgdAttack(double epsilon, int steps, double stepSize, boolean randomStart, boolean clamp) {

    /** The gradient of the attack objective at the current point. */
    @FunctionalInterface
    interface Direction {
        /**
         * @param xAdv the current point (a detached copy on a step manager)
         * @return the gradient of the objective at {@code xAdv}, shape of {@code xAdv}
         */
        NDArray gradient(NDArray xAdv);
    }

    /** Which examples may move to a proposed point. */
    @FunctionalInterface
    interface Acceptance {
        /**
         * @param proposal the proposed points {@code [B, ...]}
         * @return one boolean per example, {@code true} to accept
         */
        boolean[] accept(NDArray proposal);
    }

    /**
     * Declares {@code epsilon}, {@code steps}, {@code step-size}, {@code random-start} and {@code clamp}.
     *
     * @param b the schema under construction
     * @param epsilon the default radius
     * @param steps the default number of steps
     * @param randomStart the default of {@code random-start}
     * @return the builder
     */
    static ParameterSchema.Builder declare(ParameterSchema.Builder b, double epsilon, int steps, boolean randomStart) {
        return b.addDouble("epsilon", epsilon, 0, Double.POSITIVE_INFINITY, "l-inf radius of the attack")
                .addInt("steps", steps, 0, 100_000, "PGD steps")
                .addDouble("step-size", 0.0, 0, Double.POSITIVE_INFINITY,
                        "size of each sign step; 0 = 2.5 * epsilon / steps (Madry et al.)")
                .addBoolean("random-start", randomStart, "start at a uniform random point of the ball")
                .addBoolean("clamp", true, "keep every point in the pixel range [0, 1]");
    }

    /**
     * @param p values bound to {@link #declare}
     * @return the attack
     */
    static PgdAttack from(HyperParameters p) {
        double epsilon = p.getDouble("epsilon");
        int steps = p.getInt("steps");
        double stepSize = p.getDouble("step-size");
        if (stepSize == 0 && steps > 0) {
            stepSize = 2.5 * epsilon / steps;
        }
        return new PgdAttack(epsilon, steps, stepSize, p.getBoolean("random-start"), p.getBoolean("clamp"));
    }

    /**
     * @param x the clean inputs {@code [B, ...]}
     * @param seed the seed of the random start
     * @param offset the index in the split of the first example of {@code x}
     * @param direction the ascent direction
     * @param acceptance which examples may move, or {@code null} for all
     * @return the attack points, detached, on {@code x}'s manager
     */
    NDArray run(NDArray x, long seed, int offset, Direction direction, Acceptance acceptance) {
        NDArray current = x.duplicate();
        if (randomStart && epsilon > 0) {
            current = select(project(x.add(uniform(x, seed, offset)), x), current, acceptance);
        }
        for (int t = 0; t < steps; t++) {
            current = step(x, current, direction, acceptance);
        }
        return current;
    }

    private NDArray step(NDArray x, NDArray current, Direction direction, Acceptance acceptance) {
        NDManager outer = current.getManager();
        try (NDManager scope = outer.newSubManager()) {
            NDArray xs = copy(x, scope);
            NDArray ps = copy(current, scope);
            NDArray g = direction.gradient(ps).stopGradient();
            NDArray next = select(project(ps.add(Scalars.times(g.sign(), stepSize)), xs), ps, acceptance);
            next.attach(outer);
            return next;
        }
    }

    private NDArray project(NDArray v, NDArray x) {
        NDArray inBall = v.minimum(x.add(Scalars.of(x, epsilon))).maximum(x.sub(Scalars.of(x, epsilon)));
        return clamp ? inBall.clip(0, 1) : inBall;
    }

    /** The proposal where accepted, {@code previous} elsewhere. */
    private static NDArray select(NDArray proposal, NDArray previous, Acceptance acceptance) {
        if (acceptance == null) {
            return proposal;
        }
        boolean[] ok = acceptance.accept(proposal);
        double[] keep = new double[ok.length];
        for (int i = 0; i < ok.length; i++) {
            keep[i] = ok[i] ? 1 : 0;
        }
        long[] dims = new long[proposal.getShape().dimension()];
        java.util.Arrays.fill(dims, 1);
        dims[0] = ok.length;
        NDArray m = OwnedArrays.of(proposal.getManager(), keep, new Shape(dims), proposal.getDataType());
        return proposal.mul(m).add(previous.mul(m.neg().add(Scalars.of(m, 1))));
    }

    /** {@code U(-eps, eps)} per feature, example {@code j} of the split from its own stream. */
    private NDArray uniform(NDArray x, long seed, int offset) {
        Shape shape = x.getShape();
        int rows = (int) shape.get(0);
        int features = rows == 0 ? 0 : (int) (shape.size() / rows);
        double[] u = new double[rows * features];
        for (int r = 0; r < rows; r++) {
            SplittableRandom stream = new SplittableRandom(EmpiricalFragilityMetricProvider.exampleSeed(seed, offset + r));
            for (int f = 0; f < features; f++) {
                u[r * features + f] = (stream.nextDouble() * 2 - 1) * epsilon;
            }
        }
        return OwnedArrays.of(x.getManager(), u, shape, x.getDataType());
    }

    private static NDArray copy(NDArray a, NDManager scope) {
        NDArray c = a.duplicate();
        c.attach(scope);
        return c;
    }
}
