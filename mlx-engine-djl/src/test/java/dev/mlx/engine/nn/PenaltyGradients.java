package dev.mlx.engine.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.mlx.api.train.Model;
import dev.mlx.engine.testkit.SharedEngine;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** Parameter gradients of a scalar penalty, by autograd and by a finite-difference bump, for the compact-path tests. */
final class PenaltyGradients {
    private PenaltyGradients() {}

    /**
     * @return the gradients of {@code penalty(net)} with respect to every trainable parameter,
     *     concatenated in parameter order (zero before; zeroed again afterwards, as gradients accumulate)
     */
    static double[] autograd(Network net, Function<Model, NDArray> penalty) {
        try (Network.TrainingScope training = net.trainingMode();
                GradientCollector collector = SharedEngine.get().engine().newGradientCollector()) {
            collector.backward(penalty.apply(net));
        }
        List<Double> all = new ArrayList<>();
        for (Parameter p : net.trainableParameters()) {
            NDArray gradient = p.array().getGradient();
            for (double v : gradient.toDoubleArray()) {
                all.add(v);
            }
            gradient.subi(gradient);
        }
        return all.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /**
     * Checks {@code perParameter} random entries of every trainable parameter's gradient against
     * central finite differences (step 1e-6, relative tolerance 1e-5).
     *
     * @param analytic the gradients, as {@link #autograd} returns them
     * @return how many entries were checked
     */
    static int checkAgainstFiniteDifferences(Network net, Function<Model, NDArray> penalty, double[] analytic,
            int perParameter, java.util.SplittableRandom random, NDManager m) {
        int offset = 0;
        int checked = 0;
        for (Parameter p : net.trainableParameters()) {
            int n = Math.toIntExact(p.array().size());
            for (int k = 0; k < perParameter; k++) {
                int i = random.nextInt(n);
                double h = 1e-6;
                double fd = (bumped(net, p, i, h, penalty, m) - bumped(net, p, i, -h, penalty, m)) / (2 * h);
                org.junit.jupiter.api.Assertions.assertTrue(
                        Math.abs(fd - analytic[offset + i]) <= 1e-5 * Math.max(1, Math.abs(fd)),
                        p.name() + "[" + i + "]: autograd " + analytic[offset + i] + " vs finite differences " + fd);
                checked++;
            }
            offset += n;
        }
        return checked;
    }

    /** @return the penalty at {@code theta + delta e_i} of parameter {@code p} (restored before returning) */
    static double bumped(Network net, Parameter p, int i, double delta, Function<Model, NDArray> penalty,
            NDManager m) {
        double[] bump = new double[Math.toIntExact(p.array().size())];
        bump[i] = delta;
        NDArray d = m.create(bump, p.array().getShape());
        p.array().addi(d);
        try {
            return penalty.apply(net).getDouble();
        } finally {
            p.array().subi(d);
        }
    }
}
