package dev.mlx.engine.attribution;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.mlx.api.attribution.AttributionMethod;
import dev.mlx.api.attribution.AttributionProvider;
import dev.mlx.api.param.HyperParameters;
import dev.mlx.engine.MlxEngine;
import dev.mlx.engine.nn.Network;
import dev.mlx.engine.nn.Parameter;
import dev.mlx.engine.testkit.RegularizerTestKit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Checks an {@link AttributionProvider} that claims {@link AttributionProvider#differentiable()}: the
 * autograd gradient, with respect to every parameter of a tiny float64 ReLU network
 * ({@link RegularizerTestKit#TINY_MLP}), of the scalar {@code S = sum_{b,i} A(x)[b,i] * r[b,i]} (fixed
 * random weights {@code r}) agrees with central finite differences ({@code h = 1e-6}), as a
 * regularizer that penalises the attribution would need, and is not identically zero.
 */
public final class AttributionTestKit {
    private static final int[] EXAMPLE_SHAPE = {2, 3};
    private static final int EXAMPLES = 4;
    private final MlxEngine engine;

    /** @param engine a started engine */
    public AttributionTestKit(MlxEngine engine) {
        this.engine = engine;
    }

    /**
     * @param provider the method
     * @param params its hyper-parameters
     * @param tolerance allowed {@code |autograd - fd| / max(1, |autograd| + |fd|)}
     * @return the largest such error seen
     */
    public double checkParameterGradient(AttributionProvider provider, HyperParameters params, double tolerance) {
        assertTrue(provider.differentiable(), provider.name() + " does not claim differentiability");
        AttributionMethod method = provider.create(params);
        SplittableRandom r = new SplittableRandom(17);
        double[] x = new double[EXAMPLES * 6];
        double[] weights = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextDouble();
            weights[i] = r.nextDouble() * 2 - 1;
        }
        long[] y = {0, 2, 1, 2};
        try (Network net = engine.networks().create(RegularizerTestKit.TINY_MLP, EXAMPLE_SHAPE, 31, Map.of(),
                DataType.FLOAT64)) {
            List<double[]> analytic = gradients(net, method, x, weights, y);
            double norm = analytic.stream().flatMapToDouble(java.util.Arrays::stream).map(Math::abs).sum();
            assertTrue(norm > 1e-8, provider.name() + ": the attribution has no gradient w.r.t. the parameters");
            double worst = 0;
            double h = 1e-6;
            List<Parameter> ps = net.parameters();
            for (int p = 0; p < ps.size(); p++) {
                NDArray theta = ps.get(p).array();
                double[] values = theta.toDoubleArray();
                for (int i = 0; i < values.length; i++) {
                    double[] plus = values.clone();
                    plus[i] += h;
                    theta.set(java.nio.DoubleBuffer.wrap(plus));
                    double fPlus = value(net, method, x, weights, y);
                    double[] minus = values.clone();
                    minus[i] -= h;
                    theta.set(java.nio.DoubleBuffer.wrap(minus));
                    double fMinus = value(net, method, x, weights, y);
                    theta.set(java.nio.DoubleBuffer.wrap(values));
                    double fd = (fPlus - fMinus) / (2 * h);
                    double a = analytic.get(p)[i];
                    double error = Math.abs(a - fd) / Math.max(1, Math.abs(a) + Math.abs(fd));
                    worst = Math.max(worst, error);
                    assertTrue(error <= tolerance, provider.name() + ": dS/d" + ps.get(p).name() + "[" + i
                            + "] autograd " + a + " vs finite differences " + fd);
                }
            }
            return worst;
        }
    }

    private List<double[]> gradients(Network net, AttributionMethod method, double[] x, double[] weights, long[] y) {
        try (NDManager step = engine.manager().newSubManager()) {
            try (GradientCollector collector = engine.engine().newGradientCollector()) {
                collector.backward(scalar(net, method, step, x, weights, y));
            }
            List<double[]> grads = new ArrayList<>();
            for (Parameter p : net.parameters()) {
                NDArray g = p.array().getGradient();
                try (NDArray g64 = g.toType(DataType.FLOAT64, false)) {
                    grads.add(g64.toDoubleArray());
                }
                g.close();
                ai.djl.pytorch.jni.JniUtils.zeroGrad((ai.djl.pytorch.engine.PtNDArray) p.array());
            }
            return grads;
        }
    }

    private double value(Network net, AttributionMethod method, double[] x, double[] weights, long[] y) {
        try (NDManager step = engine.manager().newSubManager()) {
            return scalar(net, method, step, x, weights, y).getDouble();
        }
    }

    private static NDArray scalar(Network net, AttributionMethod method, NDManager manager, double[] x,
            double[] weights, long[] y) {
        Shape shape = new Shape(EXAMPLES, EXAMPLE_SHAPE[0], EXAMPLE_SHAPE[1]);
        NDArray a = method.attribute(net, manager.create(x, shape), manager.create(y), 3);
        return a.mul(manager.create(weights, shape)).sum();
    }
}
