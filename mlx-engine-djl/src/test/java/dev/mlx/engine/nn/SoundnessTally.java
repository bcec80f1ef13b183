package dev.mlx.engine.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.mlx.api.train.InputGradient;
import dev.mlx.api.train.Interval;
import dev.mlx.api.train.IntervalPass;
import dev.mlx.api.train.Losses;
import dev.mlx.engine.method.CrossEntropyBounds;
import java.util.SplittableRandom;

/**
 * The sampling check shared by the interval soundness property tests ({@link IntervalSoundnessTest},
 * {@link ConvIntervalSoundnessTest}, {@link ResidualIntervalSoundnessTest}). For one network it
 * draws a float64 batch {@code x ~ U(-1, 1)}, masks (1 with probability 0.5, otherwise a random
 * fraction with probability 0.1, else 0) and labels, bounds the logits and the cross-entropy input
 * gradient over the masked box {@code [x - eps m, x + eps m]}, and then samples points of the box:
 * its two extreme corners, four random corners and uniform interior points. Every sampled logit
 * and input-gradient entry outside its interval (by more than {@link #TOLERANCE}) is a violation.
 * The tally accumulates over networks; the last violation found is kept as the example.
 */
final class SoundnessTally {
    /** Slack for rounding in float64. */
    static final double TOLERANCE = 1e-9;

    private long points;
    private long sampledInputs;
    private long violations;
    private String example = "";

    /** @return input-gradient entries checked */
    long points() {
        return points;
    }

    /** @return sampled inputs (one example of one sampled batch point each), each checked in every logit and input-gradient entry */
    long sampledInputs() {
        return sampledInputs;
    }

    /** @return sampled values outside their bounds */
    long violations() {
        return violations;
    }

    /** @return a description of the last violation, or "" */
    String example() {
        return example;
    }

    /**
     * Checks one network on one random batch (the draws come from {@code random} in a fixed order).
     *
     * @param net the network, float64
     * @param m the manager of the batch and of every temporary
     * @param random the source of the batch and the sample points
     * @param batchShape the batch's shape {@code [B, ...example]}
     * @param classes the number of classes (labels are drawn below it)
     * @param eps the half-width of the box where the mask is 1
     * @param samples the points sampled per batch (the first six are corners)
     * @param where appended to a violation's description (e.g. the architecture), may be ""
     */
    void check(Network net, NDManager m, SplittableRandom random, Shape batchShape, int classes, double eps,
            int samples, String where) {
        int batch = (int) batchShape.get(0);
        int size = Math.toIntExact(batchShape.size());
        double[] x = new double[size];
        double[] mask = new double[size];
        long[] y = new long[batch];
        for (int i = 0; i < size; i++) {
            x[i] = random.nextDouble() * 2 - 1;
            mask[i] = random.nextDouble() < 0.5 ? 1 : (random.nextDouble() < 0.2 ? random.nextDouble() : 0);
        }
        for (int i = 0; i < batch; i++) {
            y[i] = random.nextInt(classes);
        }
        NDArray xs = m.create(x, batchShape);
        NDArray ms = m.create(mask, batchShape);
        NDArray ys = m.create(y);
        IntervalPass pass = net.intervalBounds().propagate(Interval.maskedBox(xs, ms, eps));
        Interval logits = pass.logits();
        double[] zl = logits.lower().toDoubleArray();
        double[] zu = logits.upper().toDoubleArray();
        Interval eta = pass.inputGradient(CrossEntropyBounds.logitGradient(logits, ys));
        assertEquals(batchShape, eta.lower().getShape(), "the input-gradient bounds have the inputs' shape");
        double[] el = eta.lower().toDoubleArray();
        double[] eu = eta.upper().toDoubleArray();
        String suffix = where.isEmpty() ? "" : " in " + where;
        for (int s = 0; s < samples; s++) {
            double[] point = new double[size];
            for (int i = 0; i < size; i++) {
                double u = s < 2 ? (s == 0 ? -1 : 1) : (s < 6 ? (random.nextBoolean() ? 1 : -1)
                        : random.nextDouble() * 2 - 1);
                point[i] = x[i] + eps * mask[i] * u;
            }
            InputGradient g = net.inputGradient(m.create(point, batchShape),
                    z -> Losses.perSampleCrossEntropy(z, ys));
            sampledInputs += batch;
            double[] z = g.logits().toDoubleArray();
            for (int i = 0; i < z.length; i++) {
                if (z[i] < zl[i] - TOLERANCE || z[i] > zu[i] + TOLERANCE) {
                    violations++;
                    example = "logit " + z[i] + " outside [" + zl[i] + ", " + zu[i] + "]" + suffix;
                }
            }
            double[] grad = g.gradient().toDoubleArray();
            for (int i = 0; i < grad.length; i++) {
                points++;
                if (grad[i] < el[i] - TOLERANCE || grad[i] > eu[i] + TOLERANCE) {
                    violations++;
                    example = "input gradient " + grad[i] + " outside [" + el[i] + ", " + eu[i] + "]" + suffix;
                }
            }
        }
    }
}
