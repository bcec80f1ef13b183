package dev.mlx.engine.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.mlx.api.model.Architecture;
import dev.mlx.api.model.LayerSpec;
import dev.mlx.api.model.LayerSpec.BatchNormMode;
import dev.mlx.engine.MlxEngine;
import dev.mlx.engine.testkit.SharedEngine;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Interval soundness at scale: at least {@code mlx.soundness.points} sampled inputs (10^6 in the
 * {@code soundness} Maven profile) over random float64 networks built from Linear, ReLU, Conv2d,
 * MaxPool2d, BatchNorm2d (running statistics, scales of both signs) and Flatten; every sampled logit
 * and cross-entropy input gradient must lie inside the forward and backward interval bounds
 * ({@link SoundnessTally}). Outside the default suite (minutes, not seconds):
 *
 * <pre>
 * mvn -Psoundness -pl mlx-engine-djl -am verify
 * </pre>
 */
@EnabledIfSystemProperty(named = "mlx.soundness.points", matches = "\\d+")
class IntervalSoundnessAtScaleTest {
    private static final int BATCH = 8;
    private static final int SAMPLES = 40;

    private record Net(Architecture architecture, int[] exampleShape, int classes) {}

    @Test
    void everySampledLogitAndInputGradientIsInsideItsBounds() {
        long target = Long.getLong("mlx.soundness.points");
        MlxEngine engine = SharedEngine.get();
        SplittableRandom random = new SplittableRandom(Long.getLong("mlx.soundness.seed", 20261204L));
        SoundnessTally tally = new SoundnessTally();
        Map<String, Integer> layerCounts = new HashMap<>();
        int networks = 0;
        long t0 = System.nanoTime();
        while (tally.sampledInputs() < target) {
            Net net = randomNet(random);
            for (LayerSpec spec : net.architecture().layers()) {
                layerCounts.merge(spec.getClass().getSimpleName(), 1, Integer::sum);
            }
            Map<String, float[]> values = batchNormValues(engine, net, random);
            double eps = 0.02 + random.nextDouble() * (networks % 3 == 0 ? 1.5 : 0.4);
            try (Network network = engine.networks().create(net.architecture(), net.exampleShape(), networks, values,
                    DataType.FLOAT64); NDManager m = engine.manager().newSubManager()) {
                int[] e = net.exampleShape();
                tally.check(network, m, random, new Shape(BATCH, e[0], e[1], e[2]), net.classes(), eps, SAMPLES,
                        net.architecture().toString());
            }
            networks++;
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        System.out.printf("interval soundness at scale: %d sampled inputs (%d input-gradient entries) over %d random"
                + " networks, %d violations, %.0f s; layers used %s%n", tally.sampledInputs(), tally.points(), networks,
                tally.violations(), seconds, layerCounts);
        for (String layer : List.of("Linear", "Relu", "Conv2d", "MaxPool2d", "BatchNorm2d", "Flatten")) {
            assertTrue(layerCounts.getOrDefault(layer, 0) > 0, "no " + layer + " in the sampled networks");
        }
        assertEquals(0, tally.violations(), tally.example());
    }

    /** 1-3 blocks of Conv2d [BatchNorm2d] ReLU [MaxPool2d], Flatten, [Linear ReLU] Linear. */
    private static Net randomNet(SplittableRandom random) {
        int cin = 1 + random.nextInt(3);
        int side = 6 + random.nextInt(7);
        List<LayerSpec> specs = new ArrayList<>();
        int channels = cin;
        int size = side;
        int blocks = 1 + random.nextInt(3);
        for (int b = 0; b < blocks; b++) {
            int k = 1 + random.nextInt(4);
            int s = 1 + random.nextInt(2);
            int p = random.nextInt(2);
            int o = (size + 2 * p - k) / s + 1;
            if (k > size + 2 * p || o < 2) {
                break;
            }
            int out = 1 + random.nextInt(4);
            specs.add(new LayerSpec.Conv2d(channels, out, k, s, p, random.nextBoolean()));
            channels = out;
            size = o;
            if (random.nextInt(2) == 0) {
                specs.add(new LayerSpec.BatchNorm2d(channels, BatchNormMode.EVAL));
            }
            specs.add(new LayerSpec.Relu());
            int pk = 2 + random.nextInt(2);
            int ps = 1 + random.nextInt(2);
            int pp = random.nextInt(pk / 2 + 1);
            int po = (size + 2 * pp - pk) / ps + 1;
            if (random.nextInt(5) < 2 && pk <= size + 2 * pp && po >= 1) {
                specs.add(new LayerSpec.MaxPool2d(pk, ps, pp));
                size = po;
            }
        }
        if (specs.isEmpty()) {
            specs.add(new LayerSpec.Conv2d(channels, 2, 1, 1, 0, true));
            channels = 2;
        }
        specs.add(new LayerSpec.Flatten());
        int features = channels * size * size;
        int classes = 2 + random.nextInt(4);
        if (random.nextBoolean()) {
            int hidden = 2 + random.nextInt(10);
            specs.addAll(List.of(new LayerSpec.Linear(features, hidden), new LayerSpec.Relu(),
                    new LayerSpec.Linear(hidden, classes)));
        } else {
            specs.add(new LayerSpec.Linear(features, classes));
        }
        return new Net(new Architecture(specs), new int[] {cin, side, side}, classes);
    }

    /** Batch-norm statistics and affine parameters away from the identity: scales of both signs. */
    private static Map<String, float[]> batchNormValues(MlxEngine engine, Net net, SplittableRandom random) {
        Map<String, float[]> values = new HashMap<>();
        try (Network probe = engine.networks().create(net.architecture(), net.exampleShape(), 0, Map.of(),
                DataType.FLOAT64)) {
            for (Parameter p : probe.parameters()) {
                String name = p.name();
                double lo;
                double hi;
                if (name.endsWith("running_var")) {
                    lo = 0.3;
                    hi = 2.0;
                } else if (name.endsWith("running_mean")) {
                    lo = -0.5;
                    hi = 0.5;
                } else if (name.endsWith("num_batches_tracked") || !isBatchNorm(net, name)) {
                    continue;
                } else {
                    lo = -1.5;
                    hi = 1.5;
                }
                float[] v = new float[Math.toIntExact(p.array().size())];
                for (int i = 0; i < v.length; i++) {
                    v[i] = (float) (lo + (hi - lo) * random.nextDouble());
                }
                values.put(name, v);
            }
        }
        return values;
    }

    private static boolean isBatchNorm(Net net, String parameterName) {
        int dot = parameterName.indexOf('.');
        if (!parameterName.startsWith("layer") || dot < 0) {
            return false;
        }
        int index = Integer.parseInt(parameterName.substring(5, dot));
        return net.architecture().layers().get(index) instanceof LayerSpec.BatchNorm2d;
    }
}
