package dev.mlx.engine.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.mlx.api.model.Architecture;
import dev.mlx.api.model.LayerSpec;
import dev.mlx.api.param.HyperParameters;
import dev.mlx.api.param.ParameterSchema;
import dev.mlx.api.param.ParameterSpec;
import dev.mlx.api.train.Batch;
import dev.mlx.api.train.Regularizer;
import dev.mlx.api.train.RegularizerProvider;
import dev.mlx.api.train.TrainingContext;
import dev.mlx.engine.MlxEngine;
import dev.mlx.engine.nn.Network;
import dev.mlx.engine.nn.Parameter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Checks any {@link RegularizerProvider}, built-in or third-party, the way the engine will use it.
 * Depend on the {@code mlx-engine-djl} test-jar and call {@link #checkAll(RegularizerProvider)}
 * (or the single checks) from a JUnit test:
 *
 * <ul>
 *   <li>{@link #checkParameterGradient}: the penalty's gradient with respect to every parameter
 *       of a tiny float64 ReLU network agrees with central finite differences, and is non-zero
 *       for a regularizer that uses masks (a penalty that trains nothing is a defect);</li>
 *   <li>{@link #checkDeterminism}: the same seed gives the same penalty and gradients, also when
 *       a garbage collection and fresh allocations happen between the forward and the backward
 *       pass (a constant made from Java data that the penalty let go of is then read back freed,
 *       see {@link GarbageChurn});</li>
 *   <li>{@link #checkNoLeak}: after the batch manager closes, no NDArray created by the penalty
 *       is left on any other manager (e.g. the parameters');</li>
 *   <li>{@link #checkParameters}: defaults validate, values round-trip through the schema, an
 *       unknown key and an out-of-range value are rejected;</li>
 *   <li>{@link #checkNoBorrowedScalars}: the provider's code (and the regularizer class it returns)
 *       never calls DJL's {@code mul/div/pow/minimum/maximum(Number)}, whose scalar operand the
 *       backward pass can read after it was freed; {@link dev.mlx.api.train.Scalars} is the safe form
 *       ({@link BorrowedScalarCalls}).</li>
 * </ul>
 */
public final class RegularizerTestKit {
    /** The tiny network used by the checks: 2x3 inputs, 5 hidden ReLU units, 3 classes. */
    public static final Architecture TINY_MLP = new Architecture(List.of(new LayerSpec.Flatten(),
            new LayerSpec.Linear(6, 5), new LayerSpec.Relu(), new LayerSpec.Linear(5, 3)));
    private static final int[] EXAMPLE_SHAPE = {2, 3};
    private static final int BATCH = 4;

    private final MlxEngine engine;

    /** @param engine a started engine */
    public RegularizerTestKit(MlxEngine engine) {
        this.engine = engine;
    }

    /** Runs every check with the provider's default hyper-parameters. */
    public void checkAll(RegularizerProvider provider) {
        HyperParameters defaults = provider.parameters().defaults();
        checkParameters(provider);
        checkNoBorrowedScalars(provider);
        checkParameterGradient(provider, defaults, 1e-4);
        checkDeterminism(provider, defaults);
        checkNoLeak(provider, defaults);
    }

    /**
     * Fails if the provider's classes call DJL's {@code NDArray} arithmetic with a {@code Number}
     * operand that autograd keeps for the backward pass (see {@link BorrowedScalarCalls}); use
     * {@link dev.mlx.api.train.Scalars} instead. Scans the provider class, its nested classes and the
     * class of the regularizer it creates with its defaults.
     *
     * @param provider the regularizer
     */
    public void checkNoBorrowedScalars(RegularizerProvider provider) {
        List<String> calls = BorrowedScalarCalls.find(provider.getClass(),
                provider.create(provider.parameters().defaults()).getClass());
        if (!calls.isEmpty()) {
            throw new AssertionError(provider.name() + ": " + String.join("; ", calls) + ". The backward pass can read"
                    + " that number after DJL freed it; use dev.mlx.api.train.Scalars (times, divide, minimum,"
                    + " maximum) or OwnedArrays.scalar instead");
        }
    }

    /**
     * Compares the autograd parameter gradient of the penalty with central finite differences
     * ({@code h = 1e-6}, float64) on every parameter entry.
     *
     * @param provider the regularizer
     * @param params its hyper-parameters
     * @param tolerance allowed {@code |a - f| / max(1e-6, |a| + |f|)}
     * @return the largest relative error seen
     */
    public double checkParameterGradient(RegularizerProvider provider, HyperParameters params, double tolerance) {
        return checkParameterGradient(provider, params, tolerance, TINY_MLP, EXAMPLE_SHAPE, 3);
    }

    /**
     * As {@link #checkParameterGradient(RegularizerProvider, HyperParameters, double)} on a float64
     * network of another architecture (e.g. a tiny CNN), with a random batch of
     * {@code exampleShape} examples whose masks cover about half of the features.
     *
     * @param provider the regularizer
     * @param params its hyper-parameters
     * @param tolerance allowed {@code |a - f| / max(1e-6, |a| + |f|)}
     * @param architecture the network (keep it tiny: every parameter entry costs two penalties)
     * @param exampleShape the shape of one input example
     * @param classes the number of classes (the network's output size)
     * @return the largest relative error seen
     */
    public double checkParameterGradient(RegularizerProvider provider, HyperParameters params, double tolerance,
            Architecture architecture, int[] exampleShape, int classes) {
        Regularizer regularizer = provider.create(params);
        try (Network net = engine.networks().create(architecture, exampleShape, 11, Map.of(), DataType.FLOAT64);
                NDManager batchManager = engine.manager().newSubManager()) {
            Batch batch = batch(batchManager, 5, exampleShape, classes);
            List<double[]> analytic = gradients(net, regularizer, batch, batchManager, 0, false);
            double gradNorm = analytic.stream().flatMapToDouble(java.util.Arrays::stream).map(Math::abs).sum();
            if (provider.usesMasks()) {
                assertTrue(gradNorm > 1e-10, provider.name() + ": the penalty has no gradient w.r.t. the parameters"
                        + " (it would train nothing)");
            }
            double worst = 0;
            double h = 1e-6;
            List<Parameter> ps = net.parameters();
            for (int p = 0; p < ps.size(); p++) {
                NDArray theta = ps.get(p).array();
                double[] values = theta.toDoubleArray();
                for (int i = 0; i < values.length; i++) {
                    double[] plus = values.clone();
                    plus[i] += h;
                    set(theta, plus);
                    double fPlus = value(net, regularizer, batch, batchManager, 0);
                    double[] minus = values.clone();
                    minus[i] -= h;
                    set(theta, minus);
                    double fMinus = value(net, regularizer, batch, batchManager, 0);
                    set(theta, values);
                    double fd = (fPlus - fMinus) / (2 * h);
                    double a = analytic.get(p)[i];
                    double rel = Math.abs(a - fd) / Math.max(1e-6, Math.abs(a) + Math.abs(fd));
                    worst = Math.max(worst, rel);
                    assertTrue(rel <= tolerance, provider.name() + ": d penalty / d " + ps.get(p).name() + "[" + i
                            + "] autograd " + a + " vs finite differences " + fd);
                }
            }
            return worst;
        }
    }

    /** Two evaluations with the same seed give identical values and gradients. */
    public void checkDeterminism(RegularizerProvider provider, HyperParameters params) {
        Regularizer regularizer = provider.create(params);
        try (Network net = network(12); NDManager batchManager = engine.manager().newSubManager()) {
            Batch batch = batch(batchManager, 6);
            List<double[]> first = gradients(net, regularizer, batch, batchManager, 42, false);
            double v1 = value(net, regularizer, batch, batchManager, 42);
            List<double[]> second = gradients(net, regularizer, batch, batchManager, 42, true);
            double v2 = value(net, regularizer, batch, batchManager, 42);
            assertEquals(v1, v2, 0.0, provider.name() + ": penalty differs between two runs with one seed");
            for (int i = 0; i < first.size(); i++) {
                assertArrayEquals(first.get(i), second.get(i), 0.0, provider.name()
                        + ": gradients differ after a garbage collection before the backward pass (a constant of the"
                        + " graph lives in freed Java memory: build it with OwnedArrays)");
            }
        }
    }

    /** The penalty creates NDArrays only on the batch manager. */
    public void checkNoLeak(RegularizerProvider provider, HyperParameters params) {
        Regularizer regularizer = provider.create(params);
        try (Network net = network(13)) {
            int before = net.manager().getManagedArrays().size();
            int rootBefore = engine.manager().getManagedArrays().size();
            for (int i = 0; i < 3; i++) {
                try (NDManager batchManager = engine.manager().newSubManager()) {
                    gradients(net, regularizer, batch(batchManager, 7 + i), batchManager, i, false);
                }
            }
            assertEquals(before, net.manager().getManagedArrays().size(),
                    provider.name() + ": NDArrays were left on the network's manager");
            assertEquals(rootBefore, engine.manager().getManagedArrays().size(),
                    provider.name() + ": NDArrays were left outside the batch manager");
        }
    }

    /** Defaults are valid, values round-trip, unknown keys and out-of-range numbers are rejected. */
    public void checkParameters(RegularizerProvider provider) {
        ParameterSchema schema = provider.parameters();
        HyperParameters defaults = schema.defaults();
        assertEquals(defaults, schema.bind(provider.name(), defaults.toStringMap()), "defaults must round-trip");
        org.junit.jupiter.api.Assertions.assertThrows(dev.mlx.api.error.MlxException.class,
                () -> schema.bind(provider.name(), Map.of("no-such-parameter", "1")));
        for (ParameterSpec spec : schema.specs()) {
            if (spec.min() > Double.NEGATIVE_INFINITY) {
                String below = spec.type() == dev.mlx.api.param.ParameterType.INT
                        ? Long.toString((long) spec.min() - 1) : Double.toString(spec.min() - 1);
                org.junit.jupiter.api.Assertions.assertThrows(dev.mlx.api.error.MlxException.class,
                        () -> schema.bind(provider.name(), Map.of(spec.name(), below)),
                        spec.name() + " = " + below + " must be rejected");
            }
        }
    }

    private Network network(long seed) {
        return engine.networks().create(TINY_MLP, EXAMPLE_SHAPE, seed, Map.of(), DataType.FLOAT64);
    }

    /** A random float64 batch whose masks cover about half of the features. */
    public static Batch batch(NDManager manager, long seed) {
        return batch(manager, seed, EXAMPLE_SHAPE, 3);
    }

    /**
     * A random float64 batch of 4 examples of {@code exampleShape}, inputs in
     * {@code [-1, 1]}, masks covering about half of the features, labels below {@code classes}.
     *
     * @param manager the batch manager
     * @param seed the seed
     * @param exampleShape the shape of one example
     * @param classes the number of classes
     * @return the batch
     */
    public static Batch batch(NDManager manager, long seed, int[] exampleShape, int classes) {
        SplittableRandom r = new SplittableRandom(seed);
        int f = java.util.Arrays.stream(exampleShape).reduce(1, (a, b) -> a * b);
        double[] x = new double[BATCH * f];
        double[] m = new double[BATCH * f];
        long[] y = new long[BATCH];
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextDouble() * 2 - 1;
            m[i] = r.nextBoolean() ? 1 : 0;
        }
        for (int i = 0; i < BATCH; i++) {
            y[i] = r.nextInt(classes);
        }
        long[] dims = new long[exampleShape.length + 1];
        dims[0] = BATCH;
        for (int i = 0; i < exampleShape.length; i++) {
            dims[i + 1] = exampleShape[i];
        }
        Shape shape = new Shape(dims);
        return new Batch(manager.create(x, shape), manager.create(y), manager.create(m, shape));
    }

    /** @param churn whether to collect garbage and reuse the freed memory between forward and backward */
    private List<double[]> gradients(Network net, Regularizer regularizer, Batch batch, NDManager batchManager,
            long seed, boolean churn) {
        try (NDManager step = batchManager.newSubManager()) {
            try (GradientCollector collector = engine.engine().newGradientCollector()) {
                NDArray penalty = regularizer.penalty(net, batch, context(step, seed));
                // "+ 0 * sum(theta)" keeps the graph connected for a penalty that is constant (ERM)
                NDArray anchor = net.parameters().get(0).array().sum();
                anchor.attach(step);
                anchor = dev.mlx.api.train.Scalars.times(anchor, 0);
                if (churn) {
                    GarbageChurn.run(step);
                }
                collector.backward(penalty.add(anchor));
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

    private double value(Network net, Regularizer regularizer, Batch batch, NDManager batchManager, long seed) {
        try (NDManager step = batchManager.newSubManager()) {
            return regularizer.penalty(net, batch, context(step, seed)).toType(DataType.FLOAT64, false).getDouble();
        }
    }

    private static TrainingContext context(NDManager manager, long seed) {
        return new TrainingContext(0, 1, 0, 3, seed, manager);
    }

    private static void set(NDArray theta, double[] values) {
        theta.set(java.nio.DoubleBuffer.wrap(values));
    }
}
