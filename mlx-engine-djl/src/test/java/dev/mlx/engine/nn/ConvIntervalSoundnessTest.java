package dev.mlx.engine.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import dev.mlx.api.model.Architecture;
import dev.mlx.api.model.LayerSpec;
import dev.mlx.api.param.HyperParameters;
import dev.mlx.api.train.Batch;
import dev.mlx.api.train.InputGradient;
import dev.mlx.api.train.Interval;
import dev.mlx.api.train.TrainingContext;
import dev.mlx.engine.MlxEngine;
import dev.mlx.engine.method.CertR4Provider;
import dev.mlx.engine.testkit.RegularizerTestKit;
import dev.mlx.engine.testkit.SharedEngine;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * Interval bound propagation through {@link Conv2dLayer}: the transposed convolution against a
 * direct (loop) evaluation of the input gradient of a convolution, the property test of
 * {@link IntervalSoundnessTest} on random small CNNs (every sampled logit and CE input gradient of
 * the masked box inside its interval), checks that deliberately unsound convolution bounds are
 * caught, and Cert-R4's parameter gradient on a tiny CNN against finite differences.
 */
class ConvIntervalSoundnessTest {
    private static final int NETS = 24;
    private static final int BATCH = 4;
    private static final int SAMPLES = 40;

    // ---------------------------------------------------------------- transposed convolution

    @Test
    void transposedConvolutionEqualsTheInputGradientOfTheConvolution() {
        MlxEngine engine = SharedEngine.get();
        // {in channels, out channels, kernel, stride, padding, side}; several need output padding
        int[][] configs = {{1, 2, 3, 1, 0, 6}, {2, 3, 3, 2, 1, 7}, {1, 2, 2, 2, 0, 7}, {2, 1, 4, 2, 1, 6},
            {1, 3, 3, 2, 0, 8}, {2, 2, 4, 1, 1, 5}, {1, 1, 2, 2, 1, 6}};
        SplittableRandom random = new SplittableRandom(7);
        for (int[] c : configs) {
            int cin = c[0];
            int cout = c[1];
            int k = c[2];
            int s = c[3];
            int p = c[4];
            int side = c[5];
            int o = (side + 2 * p - k) / s + 1;
            Architecture arch = new Architecture(List.of(new LayerSpec.Conv2d(cin, cout, k, s, p),
                    new LayerSpec.Flatten(), new LayerSpec.Linear(cout * o * o, 2)));
            try (Network net = engine.networks().create(arch, new int[] {cin, side, side}, 3, Map.of(),
                    DataType.FLOAT64); NDManager m = engine.manager().newSubManager()) {
                Conv2dLayer conv = (Conv2dLayer) net.layersForTest().get(0);
                double[] w = conv.weight().array().toDoubleArray();
                int b = 2;
                double[] g = new double[b * cout * o * o];
                for (int i = 0; i < g.length; i++) {
                    g[i] = random.nextDouble() * 2 - 1;
                }
                NDArray gs = m.create(g, new Shape(b, cout, o, o));
                Shape inputShape = new Shape(b, cin, side, side);
                assertFalse(JniUtils.isGradMode(), "tests run outside a gradient collector");
                double[] got = conv.transposed(gs, conv.weight().array(), inputShape).toDoubleArray();
                assertFalse(JniUtils.isGradMode(), "grad mode must be restored");
                double[] want = inputGradientByLoops(g, w, b, cin, cout, k, s, p, side, o, false);
                assertEquals(want.length, got.length);
                for (int i = 0; i < want.length; i++) {
                    assertEquals(want[i], got[i], 1e-12, "config " + java.util.Arrays.toString(c) + " entry " + i);
                }
                // the backward interval pass: centre through W, radius through |W|
                NDArray gl = gs.sub(0.25);
                NDArray gu = gs.add(0.25);
                NDArray x = m.zeros(inputShape, DataType.FLOAT64);
                Interval back = conv.backwardInterval(new Interval(gl, gu), new Interval(x, x));
                double[] radius = inputGradientByLoops(filled(g.length, 0.25), w, b, cin, cout, k, s, p, side, o,
                        true);
                double[] lower = back.lower().toDoubleArray();
                double[] upper = back.upper().toDoubleArray();
                for (int i = 0; i < want.length; i++) {
                    assertEquals(want[i] - radius[i], lower[i], 1e-12);
                    assertEquals(want[i] + radius[i], upper[i], 1e-12);
                }
                // and the whole network's autograd input gradient goes through the same map
                NDArray xs = m.randomNormal(inputShape, DataType.FLOAT64);
                NDArray cot = m.randomNormal(new Shape(b, 2), DataType.FLOAT64);
                InputGradient ig = net.inputGradient(xs, z -> z.mul(cot));
                NDArray linearW = net.parameters().get(2).array();
                NDArray gConv = cot.matMul(linearW).reshape(b, cout, o, o);
                double[] viaTransposed = conv.transposed(gConv, conv.weight().array(), inputShape).toDoubleArray();
                double[] autograd = ig.gradient().toDoubleArray();
                for (int i = 0; i < autograd.length; i++) {
                    assertEquals(autograd[i], viaTransposed[i], 1e-12);
                }
            }
        }
    }

    private static double[] filled(int n, double v) {
        double[] a = new double[n];
        java.util.Arrays.fill(a, v);
        return a;
    }

    /** dx[n,ci,h,w] = sum G[n,co,oh,ow] K[co,ci,i,j] over h = oh*s - p + i, w = ow*s - p + j. */
    private static double[] inputGradientByLoops(double[] g, double[] w, int batch, int cin, int cout, int k, int s,
            int p, int side, int o, boolean absKernel) {
        double[] dx = new double[batch * cin * side * side];
        for (int n = 0; n < batch; n++) {
            for (int co = 0; co < cout; co++) {
                for (int oh = 0; oh < o; oh++) {
                    for (int ow = 0; ow < o; ow++) {
                        double gv = g[((n * cout + co) * o + oh) * o + ow];
                        for (int ci = 0; ci < cin; ci++) {
                            for (int i = 0; i < k; i++) {
                                for (int j = 0; j < k; j++) {
                                    int h = oh * s - p + i;
                                    int ww = ow * s - p + j;
                                    if (h < 0 || h >= side || ww < 0 || ww >= side) {
                                        continue;
                                    }
                                    double kv = w[((co * cin + ci) * k + i) * k + j];
                                    dx[((n * cin + ci) * side + h) * side + ww] += gv * (absKernel ? Math.abs(kv) : kv);
                                }
                            }
                        }
                    }
                }
            }
        }
        return dx;
    }

    // ---------------------------------------------------------------- soundness property

    @Test
    void boundsContainEverySampledLogitAndInputGradient() {
        SoundnessTally r = run(UnaryOperator.identity());
        assertTrue(r.points() >= 50_000, "points checked: " + r.points());
        assertEquals(0, r.violations(), "sound bounds must contain every sampled value; " + r.example());
    }

    @Test
    void theCheckerCatchesAConvForwardRadiusComputedWithWInsteadOfAbsW() {
        SoundnessTally r = run(layer -> layer instanceof Conv2dLayer c ? new BrokenConv(c, true) : layer);
        assertTrue(r.violations() > 0, "an unsound Conv2d forward bound must be detected");
    }

    @Test
    void theCheckerCatchesAConvBackwardRadiusComputedWithWInsteadOfAbsW() {
        SoundnessTally r = run(layer -> layer instanceof Conv2dLayer c ? new BrokenConv(c, false) : layer);
        assertTrue(r.violations() > 0, "an unsound Conv2d backward bound must be detected");
    }

    private record Cnn(Architecture architecture, int[] exampleShape, int classes) {}

    /** 1-2 convolutions (kernel 2-4, stride 1-2, padding 0-1) with ReLU, Flatten, 1-2 Linear. */
    private static Cnn randomCnn(SplittableRandom random, int n) {
        int cin = 1 + random.nextInt(2);
        int side = 5 + random.nextInt(4);
        List<LayerSpec> specs = new ArrayList<>();
        int channels = cin;
        int size = side;
        int convs = 1 + n % 2;
        for (int c = 0; c < convs; c++) {
            int k = 2 + random.nextInt(3);
            int s = 1 + random.nextInt(2);
            int p = random.nextInt(2);
            int o = (size + 2 * p - k) / s + 1;
            if (k > size + 2 * p || o < 1 || (c > 0 && o < 2)) {
                break;
            }
            int out = 1 + random.nextInt(3);
            specs.add(new LayerSpec.Conv2d(channels, out, k, s, p));
            channels = out;
            size = o;
            boolean flattenFirst = c == convs - 1 && n % 3 == 2; // the "small" DermaNet order
            if (flattenFirst) {
                specs.add(new LayerSpec.Flatten());
                specs.add(new LayerSpec.Relu());
            } else {
                specs.add(new LayerSpec.Relu());
            }
        }
        if (!(specs.get(specs.size() - 2) instanceof LayerSpec.Flatten)) {
            specs.add(new LayerSpec.Flatten());
        }
        int features = channels * size * size;
        int classes = 2 + random.nextInt(3);
        if (n % 4 < 2) {
            int hidden = 2 + random.nextInt(6);
            specs.addAll(List.of(new LayerSpec.Linear(features, hidden), new LayerSpec.Relu(),
                    new LayerSpec.Linear(hidden, classes)));
        } else {
            specs.add(new LayerSpec.Linear(features, classes));
        }
        return new Cnn(new Architecture(specs), new int[] {cin, side, side}, classes);
    }

    private SoundnessTally run(UnaryOperator<Layer> mutate) {
        MlxEngine engine = SharedEngine.get();
        SplittableRandom random = new SplittableRandom(2027);
        SoundnessTally tally = new SoundnessTally();
        for (int n = 0; n < NETS; n++) {
            Cnn cnn = randomCnn(random, n);
            Shape shape = new Shape(BATCH, cnn.exampleShape[0], cnn.exampleShape[1], cnn.exampleShape[2]);
            double eps = 0.05 + random.nextDouble() * (n % 3 == 0 ? 2.0 : 0.5);
            try (Network base = engine.networks().create(cnn.architecture, cnn.exampleShape, n, Map.of(),
                    DataType.FLOAT64); NDManager m = engine.manager().newSubManager()) {
                List<Layer> layers = new ArrayList<>();
                for (Layer l : base.layersForTest()) {
                    layers.add(mutate.apply(l));
                }
                Network net = base.withLayersForTest(layers);
                tally.check(net, m, random, shape, cnn.classes, eps, SAMPLES, cnn.architecture.toString());
            }
        }
        return tally;
    }

    /** A deliberately unsound Conv2d: a radius through W instead of |W| (forward or backward). */
    private static final class BrokenConv extends UnsoundLayer {
        private final Conv2dLayer conv;
        private final boolean brokenForward;

        BrokenConv(Conv2dLayer conv, boolean brokenForward) {
            super(conv);
            this.conv = conv;
            this.brokenForward = brokenForward;
        }

        @Override
        public Interval forwardInterval(Interval input) {
            if (!brokenForward) {
                return real.forwardInterval(input);
            }
            NDArray mu = real.forward(input.centre());
            NDArray r = conv.convolve(input.radius(), conv.weight().array()).abs().mul(0.5);
            return new Interval(mu.sub(r), mu.add(r));
        }

        @Override
        public Interval backwardInterval(Interval g, Interval input) {
            if (brokenForward) {
                return real.backwardInterval(g, input);
            }
            Shape shape = input.lower().getShape();
            NDArray w = conv.weight().array();
            NDArray mu = conv.transposed(g.centre(), w, shape);
            NDArray r = conv.transposed(g.radius(), w, shape).abs().mul(0.5);
            return new Interval(mu.sub(r), mu.add(r));
        }
    }

    // ---------------------------------------------------------------- Cert-R4 on a CNN

    /** Stride 2 on 6x6 needs output padding 1 in the backward pass; the second conv has stride 1. */
    static final Architecture TINY_CNN = new Architecture(List.of(new LayerSpec.Conv2d(1, 2, 3, 2, 1),
            new LayerSpec.Relu(), new LayerSpec.Conv2d(2, 2, 2, 1, 0), new LayerSpec.Relu(), new LayerSpec.Flatten(),
            new LayerSpec.Linear(8, 3)));

    @Test
    void certR4PenaltyOnATinyCnnMatchesFiniteDifferences() {
        CertR4Provider cert = new CertR4Provider();
        RegularizerTestKit kit = new RegularizerTestKit(SharedEngine.get());
        double worst = kit.checkParameterGradient(cert, cert.parameters().defaults(), 1e-4, TINY_CNN,
                new int[] {1, 6, 6}, 3);
        assertTrue(worst < 1e-4);
        HyperParameters paper = cert.parameters().bind("cert-r4", Map.of("form", "paper", "epsilon", "0.3"));
        kit.checkParameterGradient(cert, paper, 1e-4, TINY_CNN, new int[] {1, 6, 6}, 3);
    }

    @Test
    void certR4OnACnnLeavesNothingOutsideTheBatchManager() {
        MlxEngine engine = SharedEngine.get();
        CertR4Provider cert = new CertR4Provider();
        try (Network net = engine.networks().create(TINY_CNN, new int[] {1, 6, 6}, 5, Map.of(), DataType.FLOAT64)) {
            int before = net.manager().getManagedArrays().size();
            int rootBefore = engine.manager().getManagedArrays().size();
            for (int i = 0; i < 3; i++) {
                try (NDManager m = engine.manager().newSubManager()) {
                    Batch batch = RegularizerTestKit.batch(m, i, new int[] {1, 6, 6}, 3);
                    try (ai.djl.training.GradientCollector collector = engine.engine().newGradientCollector()) {
                        NDArray penalty = cert.create(cert.parameters().defaults()).penalty(net, batch,
                                new TrainingContext(0, 1, 0, 3, i, m));
                        collector.backward(penalty);
                    }
                    for (Parameter p : net.parameters()) {
                        p.array().getGradient().close();
                        JniUtils.zeroGrad((ai.djl.pytorch.engine.PtNDArray) p.array());
                    }
                }
            }
            assertEquals(before, net.manager().getManagedArrays().size(), "arrays left on the network's manager");
            assertEquals(rootBefore, engine.manager().getManagedArrays().size(), "arrays left on the root manager");
        }
    }
}
