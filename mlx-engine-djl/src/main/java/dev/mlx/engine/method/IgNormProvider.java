package dev.mlx.engine.method;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import dev.mlx.api.param.HyperParameters;
import dev.mlx.api.param.ParameterSchema;
import dev.mlx.api.train.Batch;
import dev.mlx.api.train.Losses;
import dev.mlx.api.train.Model;
import dev.mlx.api.train.OwnedArrays;
import dev.mlx.api.train.Regularizer;
import dev.mlx.api.train.RegularizerProvider;
import dev.mlx.api.train.TrainingContext;
import java.util.List;

/**
 * IG-NORM, robust attribution regularisation (Chen, Wu, Rastogi, Liang and Jha, "Robust
 * Attribution Regularization", NeurIPS 2019), seed 004, reference spec §13.2:
 *
 * <pre>
 * IG(x, x')  = (x' - x) * (1/M) sum_{k=1..M} d/dz CE(f(z_k), y),   z_k = x + (k/M)(x' - x)
 * R_b(x, x') = sum over the features of example b of |IG_b(x, x')|
 * x'         = argmax over ||x' - x||_inf <= eps (and [0, 1] if clamp) of sum_b R_b(x, x')     (PGD)
 * loss       = mean_b CE(f(x_b), y_b) + lambda * mean_b R_b(x, x')
 * </pre>
 *
 * <b>Integrated gradients</b> of the per-sample single-softmax cross-entropy (stable log-softmax on
 * logits; the reference TensorFlow code clips the softmax to {@code [1e-10, 1]} instead), right
 * Riemann sum with {@code M = ig-steps} points. {@code M = 10} (the default) equals the reference's
 * "approx" computation exactly: 50 steps of which every 5th is used, rescaled by 5/50. Every one of
 * the {@code M} input gradients is taken with create_graph, so {@code R} is differentiable with
 * respect to the parameters; {@code x'} is a constant (Danskin). By completeness,
 * {@code sum IG_b -> CE(x'_b) - CE(x_b)} as {@code M} grows.
 *
 * <p><b>Normalisation.</b> The reference sums both the CE and {@code R} over the batch; mlx takes
 * batch means of both (the engine's task loss is a batch mean), which keeps their ratio, so the
 * reference's {@code lambda} (MNIST: 1) transfers unchanged.
 *
 * <p><b>Attack.</b> PGD as in Madry et al.: random start {@code U(-eps, eps)}, {@code steps} sign
 * steps of {@code step-size}, projection onto the ball and clip to {@code [0, 1]}
 * (see {@link PgdAdversarialTrainingProvider}). {@code attack=exact} (the default) ascends
 * {@code sum_b R_b} itself: its input gradient involves input Hessians of the loss, obtained as
 * Hessian-vector products through {@link Model#gradient} (see {@link #attackDirection}; per step
 * about {@code 3M} times the cost of a CE gradient). {@code attack=ce} ascends {@code CE(f(x'), y)} instead, a cheaper proxy (Madry's attack)
 * that is not the paper's. Defaults: {@code eps = 0.3} (MNIST), {@code steps = 10} with
 * {@code step-size = 0.04} (the reference: 40 steps of 0.01; both travel {@code 4/3 eps}).
 *
 * <p><b>Memory.</b> The {@code M x B} path points are processed in chunks of at most
 * {@code internal-batch-size} rows (examples times path points; 0 = all at once); the result equals
 * the unchunked value.
 */
public final class IgNormProvider implements RegularizerProvider {
    @Override
    public String name() {
        return "ig-norm";
    }

    @Override
    public String description() {
        return "IG-NORM (Chen et al., NeurIPS 2019): CE(x) + lambda * ||IG(x, x')||_1, x' a PGD point maximising it";
    }

    /** Whole-input robustness: the masks are not read. */
    @Override
    public boolean usesMasks() {
        return false;
    }

    @Override
    public ParameterSchema parameters() {
        return schema(1.0, "weight of the IG norm (the reference's MNIST value: 1)",
                "exact: PGD on ||IG||_1 itself (the paper); ce: PGD on CE(x') (cheaper proxy)");
    }

    @Override
    public Regularizer create(HyperParameters params) {
        return regularizer(params, false);
    }

    /** The schema shared by IG-NORM and IG-SUM-NORM, which differ in the default lambda. */
    static ParameterSchema schema(double lambda, String lambdaText, String attackText) {
        ParameterSchema.Builder b = ParameterSchema.builder()
                .addDouble("lambda", lambda, 0, Double.POSITIVE_INFINITY, lambdaText);
        PgdAdversarialTrainingProvider.addAttackParameters(b);
        return b.addInt("ig-steps", 10, 1, 100_000, "Riemann points M of the integrated gradients")
                .addChoice("attack", "exact", List.of("exact", "ce"), attackText)
                .addInt("internal-batch-size", 1000, 0, Integer.MAX_VALUE,
                        "rows (examples x path points) per forward pass; 0 = all at once")
                .build();
    }

    /**
     * @param params the validated values of {@link #schema}
     * @param sumNorm {@code false}: IG-NORM; {@code true}: IG-SUM-NORM (task loss on {@code x'}, the
     *     attack maximises {@code CE(x') + lambda R})
     */
    static Regularizer regularizer(HyperParameters params, boolean sumNorm) {
        double lambda = params.getDouble("lambda");
        SignPgd pgd = SignPgd.from(params);
        int igSteps = params.getInt("ig-steps");
        boolean exact = params.getString("attack").equals("exact");
        int internal = params.getInt("internal-batch-size");
        int pointsPerChunk = internal <= 0 ? igSteps : Math.min(igSteps, internal);
        int examplesPerChunk = internal <= 0 ? 0 : Math.max(1, internal / pointsPerChunk);
        double ceWeight = sumNorm ? 1 : 0;
        return new Regularizer() {
            @Override
            public NDArray penalty(Model model, Batch batch, TrainingContext context) {
                NDArray x = batch.inputs();
                NDArray y = batch.labels();
                SignPgd.AscentDirection direction = exact
                        // the attack of IG-NORM maximises R alone; that of IG-SUM-NORM CE + lambda R
                        ? (xs, ys, ps) -> attackDirection(model, xs, ps, ys, igSteps, pointsPerChunk, ceWeight,
                                sumNorm ? lambda : 1.0)
                        : (xs, ys, ps) -> model.inputGradient(ps,
                                logits -> Losses.perSampleCrossEntropy(logits, ys)).gradient();
                NDArray xAdv = pgd.run(x, null, y, context.seed(), examplesPerChunk, direction);
                int b = (int) batch.size();
                int size = examplesPerChunk <= 0 ? b : Math.min(b, examplesPerChunk);
                NDArray total = null;
                for (int from = 0; from < b; from += size) {
                    int to = Math.min(b, from + size);
                    NDArray part = objective(model, SignPgd.rows(x, from, to),
                            SignPgd.rows(xAdv, from, to),
                            SignPgd.rows(y, from, to), igSteps, pointsPerChunk, ceWeight,
                            lambda);
                    total = total == null ? part : total.add(part);
                }
                return scale(total, 1.0 / b);
            }

            @Override
            public double taskLossWeight(TrainingContext context) {
                return sumNorm ? 0 : 1;
            }
        };
    }

    /**
     * {@code sum_b [ceWeight * CE(f(x'_b), y_b) + lambda * ||IG_b(x, x')||_1]}, a scalar on the
     * manager of {@code xAdv}; differentiable with respect to the parameters.
     */
    static NDArray objective(Model model, NDArray x, NDArray xAdv, NDArray labels, int igSteps, int pointsPerChunk,
            double ceWeight, double lambda) {
        NDArray total = null;
        if (lambda != 0) {
            NDArray ig = integratedGradients(model, x, xAdv, labels, igSteps, pointsPerChunk);
            total = scale(ig.abs().sum(), lambda);
        }
        if (ceWeight != 0) {
            NDArray ce = scale(Losses.perSampleCrossEntropy(model.logits(xAdv), labels).sum(), ceWeight);
            total = total == null ? ce : ce.add(total);
        }
        return total == null ? scale(xAdv.sum(), 0) : total;
    }

    /**
     * The input gradient of {@link #objective} with respect to {@code xAdv}, the ascent direction of
     * the exact attack. With {@code D = xAdv - x}, {@code gbar = (1/M) sum_k g(z_k)} ({@code g} the
     * CE input gradient), {@code s = sign(D * gbar)} and {@code H(z)} the input Hessian of CE,
     *
     * <pre>
     * d/dxAdv sum |D * gbar| = s * gbar + (1/M) sum_k (k/M) H(z_k)^T (s * D)
     * </pre>
     *
     * and {@code d/dxAdv CE(f(xAdv), y)} is added with weight {@code ceWeight}. Each Hessian-vector
     * product is {@code d/dz <g(z), v>} through {@link Model#gradient} with {@code z} the
     * differentiated leaf itself. (Differentiating {@link #objective} directly with
     * {@code model.gradient(xAdv, ...)} would need {@link Model#inputGradient} to stay connected to a
     * non-leaf {@code z_k}, which the engine does not guarantee: it may copy such an input into a
     * fresh leaf, which would silently drop the Hessian term.) When all {@code M} path points fit in
     * one chunk this takes one {@link Model#gradient} call, otherwise two passes over the chunks.
     * Only the values are used (the caller detaches the result).
     */
    static NDArray attackDirection(Model model, NDArray x, NDArray xAdv, NDArray labels, int igSteps,
            int pointsPerChunk, double ceWeight, double lambda) {
        NDArray delta = xAdv.sub(x);
        int p = pointsPerChunk <= 0 ? igSteps : Math.min(igSteps, pointsPerChunk);
        NDArray direction = p == igSteps
                ? normGradientOnePass(model, x, delta, labels, igSteps)
                : normGradientTwoPasses(model, x, delta, labels, igSteps, p);
        direction = scale(direction, lambda);
        if (ceWeight != 0) {
            NDArray ce = model.inputGradient(xAdv, logits -> Losses.perSampleCrossEntropy(logits, labels)).gradient();
            direction = direction.add(scale(ce, ceWeight));
        }
        return direction;
    }

    /**
     * All path points in one pass: with {@code F(z_1..z_M) = sum |D * (1/M) sum_k g(z_k)|} ({@code D}
     * held constant), {@code dF/dz_k = (1/M) H(z_k)^T (s * D)}, so the gradient is
     * {@code s * gbar + sum_k (k/M) dF/dz_k}; one {@link Model#gradient} call gives every
     * {@code dF/dz_k} and, on the way, {@code gbar}.
     */
    private static NDArray normGradientOnePass(Model model, NDArray x, NDArray delta, NDArray labels, int igSteps) {
        long[] exampleDims = x.getShape().getShape();
        Shape stacked = new Shape(prepend(igSteps, exampleDims));
        NDArray z = pathPoints(delta, x, 1, igSteps, igSteps);
        NDArray zLabels = igSteps == 1 ? labels : labels.tile(igSteps);
        NDArray[] meanGradient = new NDArray[1];
        NDArray dz = model.detachedGradient(z, leaf -> {
            NDArray g = model.inputGradient(leaf, logits -> Losses.perSampleCrossEntropy(logits, zLabels)).gradient();
            NDArray mean = scale(g.reshape(stacked).sum(new int[] {0}), 1.0 / igSteps);
            meanGradient[0] = mean.stopGradient();
            return delta.mul(mean).abs();
        });
        double[] t = new double[igSteps];
        for (int k = 1; k <= igSteps; k++) {
            t[k - 1] = (double) k / igSteps;
        }
        long[] weightDims = new long[exampleDims.length + 1];
        java.util.Arrays.fill(weightDims, 1);
        weightDims[0] = igSteps;
        NDArray weights = OwnedArrays.of(delta.getManager(), t, new Shape(weightDims), delta.getDataType());
        NDArray pathTerm = dz.reshape(stacked).mul(weights).sum(new int[] {0});
        return delta.mul(meanGradient[0]).sign().mul(meanGradient[0]).add(pathTerm);
    }

    /** As {@link #normGradientOnePass}, {@code p} path points at a time: {@code gbar} first, then the products. */
    private static NDArray normGradientTwoPasses(Model model, NDArray x, NDArray delta, NDArray labels, int igSteps,
            int p) {
        long[] exampleDims = x.getShape().getShape();
        NDArray gradientSum = null;
        for (int k0 = 1; k0 <= igSteps; k0 += p) {
            int count = Math.min(p, igSteps - k0 + 1);
            NDArray z = pathPoints(delta, x, k0, count, igSteps);
            NDArray zLabels = count == 1 ? labels : labels.tile(count);
            NDArray g = model.inputGradient(z, logits -> Losses.perSampleCrossEntropy(logits, zLabels)).gradient()
                    .stopGradient();
            NDArray pointSum = g.reshape(new Shape(prepend(count, exampleDims))).sum(new int[] {0});
            gradientSum = gradientSum == null ? pointSum : gradientSum.add(pointSum);
        }
        NDArray meanGradient = scale(gradientSum, 1.0 / igSteps);
        NDArray sign = delta.mul(meanGradient).sign();
        NDArray direction = sign.mul(meanGradient);
        NDArray v = sign.mul(delta);
        for (int k0 = 1; k0 <= igSteps; k0 += p) {
            int count = Math.min(p, igSteps - k0 + 1);
            NDArray z = pathPoints(delta, x, k0, count, igSteps);
            NDArray zLabels = count == 1 ? labels : labels.tile(count);
            NDList weighted = new NDList(count);
            for (int k = k0; k < k0 + count; k++) {
                weighted.add(scale(v, (double) k / igSteps / igSteps));
            }
            NDArray vs = count == 1 ? weighted.get(0) : NDArrays.concat(weighted, 0);
            NDArray hv = model.detachedGradient(z, leaf -> model.inputGradient(leaf,
                    logits -> Losses.perSampleCrossEntropy(logits, zLabels)).gradient().mul(vs));
            direction = direction.add(hv.reshape(new Shape(prepend(count, exampleDims))).sum(new int[] {0}));
        }
        return direction;
    }

    /** The path points {@code z_k = x + (k/M) D} for {@code k = k0 .. k0 + count - 1}, stacked along axis 0. */
    private static NDArray pathPoints(NDArray delta, NDArray x, int k0, int count, int igSteps) {
        NDList points = new NDList(count);
        for (int k = k0; k < k0 + count; k++) {
            points.add(scale(delta, (double) k / igSteps).add(x));
        }
        return count == 1 ? points.get(0) : NDArrays.concat(points, 0);
    }

    private static long[] prepend(long first, long[] rest) {
        long[] dims = new long[rest.length + 1];
        dims[0] = first;
        System.arraycopy(rest, 0, dims, 1, rest.length);
        return dims;
    }

    /**
     * Integrated gradients of the per-sample cross-entropy along the straight path from {@code x}
     * to {@code xAdv}, right Riemann sum:
     * {@code (xAdv - x) * (1/M) sum_{k=1..M} dCE/dz (x + (k/M)(xAdv - x))}. Every input gradient is
     * taken with create_graph.
     *
     * @param model the network
     * @param x the start of the path {@code [n, ...]}
     * @param xAdv the end of the path, same shape
     * @param labels the labels {@code [n]}
     * @param igSteps {@code M}
     * @param pointsPerChunk path points per forward pass (each holding all {@code n} examples);
     *     {@code <= 0} = all {@code M}
     * @return IG, shape of {@code x}, on {@code xAdv}'s manager
     */
    static NDArray integratedGradients(Model model, NDArray x, NDArray xAdv, NDArray labels, int igSteps,
            int pointsPerChunk) {
        NDArray delta = xAdv.sub(x);
        int p = pointsPerChunk <= 0 ? igSteps : Math.min(igSteps, pointsPerChunk);
        long[] exampleDims = x.getShape().getShape();
        NDArray sum = null;
        for (int k0 = 1; k0 <= igSteps; k0 += p) {
            int count = Math.min(p, igSteps - k0 + 1);
            NDArray z = pathPoints(delta, x, k0, count, igSteps);
            NDArray zLabels = count == 1 ? labels : labels.tile(count);
            NDArray g = model.inputGradient(z, logits -> Losses.perSampleCrossEntropy(logits, zLabels)).gradient();
            NDArray pointSum = g.reshape(new Shape(prepend(count, exampleDims))).sum(new int[] {0});
            sum = sum == null ? pointSum : sum.add(pointSum);
        }
        return scale(delta.mul(sum), 1.0 / igSteps);
    }

    private static NDArray scale(NDArray a, double s) {
        return SignPgd.scale(a, s);
    }
}
