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
