package dev.mlx.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import dev.mlx.api.model.Architecture;
import dev.mlx.api.model.LayerSpec;
import dev.mlx.api.train.Losses;
import dev.mlx.api.train.OwnedArrays;
import dev.mlx.engine.nn.Network;
import dev.mlx.engine.nn.Parameter;
import dev.mlx.engine.testkit.SharedEngine;
import dev.mlx.engine.train.Adam;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The rare NaN of RRR / Cert-R4 on CNNs and its workaround ({@link OneDnnSwitch}).
 *
 * <p>{@link #theEngineRunsWithOneDnnOff()} is part of the suite. {@link #reproducer()} is the
 * minimal reproducer of docs/architecture.md, opt-in because it takes minutes:
 *
 * <pre>
 * mvn -pl mlx-engine-djl -am verify -Dtest=OneDnnNanReproTest -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dmlx.repro.rounds=200 [-Dmlx.repro.onednn=true]
 * </pre>
 *
 * Each round builds the same two-convolution network (the derma-cnn "small" layout on 1x8x8
 * inputs) with the same seed and takes 15 Adam steps of the RRR objective
 * {@code sum((m * dCE/dx)^2)} on the same batch; a round fails when a parameter gradient holds a
 * NaN. Every round computes exactly the same numbers, so any failure is a wrong read in the native
 * code. With {@code -Dmlx.repro.onednn=true} the test switches oneDNN back on first.
 */
class OneDnnNanReproTest {
    private static final int BATCH = 50;
    private static final int STEPS = 15;

    @Test
    void theEngineRunsWithOneDnnOff() {
        SharedEngine.get();
        assertFalse(OneDnnSwitch.oneDnnEnabled(), "MlxEngine.start() switches oneDNN convolutions off");
    }

    @Test
    @EnabledIfSystemProperty(named = "mlx.repro.rounds", matches = "\\d+")
    void reproducer() {
        MlxEngine engine = SharedEngine.get();
        if (Boolean.getBoolean("mlx.repro.onednn")) {
            NativeLibrary torch = NativeLibrary.getInstance("torch_cpu");
            Pointer context = torch.getFunction("_ZN2at13globalContextEv").invokePointer(new Object[0]);
            torch.getFunction("_ZN2at7Context20setUserEnabledMkldnnEb").invokeVoid(new Object[] {context, (byte) 1});
        }
        int rounds = Integer.getInteger("mlx.repro.rounds");
        StringBuilder pattern = new StringBuilder();
        int failed = 0;
        String state = OneDnnSwitch.oneDnnEnabled() ? "on" : "off";
        try {
            for (int r = 0; r < rounds; r++) {
                boolean nan = round(engine);
                pattern.append(nan ? 'X' : '.');
                failed += nan ? 1 : 0;
            }
        } finally {
            OneDnnSwitch.disableOneDnn(); // the other tests of this JVM run as mlx does
        }
        System.out.println("oneDNN " + state + ": " + failed + " of " + rounds + " rounds gave NaN gradients " + pattern);
        assertEquals(0, failed, pattern.toString());
    }

    @SuppressWarnings("try") // the training scope is a mode switch
    private static boolean round(MlxEngine engine) {
        Architecture arch = new Architecture(List.of(new LayerSpec.Conv2d(1, 32, 4, 1, 1, true), new LayerSpec.Relu(),
                new LayerSpec.Conv2d(32, 32, 4, 2, 1, true), new LayerSpec.Flatten(), new LayerSpec.Relu(),
                new LayerSpec.Linear(32 * 9, 2)));
        SplittableRandom random = new SplittableRandom(5);
        float[] xs = new float[BATCH * 64];
        float[] ms = new float[BATCH * 64];
        long[] ys = new long[BATCH];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = (float) random.nextDouble();
            ms[i] = random.nextDouble() < 0.3 ? 1 : 0;
        }
        for (int i = 0; i < BATCH; i++) {
            ys[i] = random.nextInt(2);
        }
        boolean nan = false;
        try (Network net = engine.networks().create(arch, new int[] {1, 8, 8}, 7, Map.of(), DataType.FLOAT32);
                Network.TrainingScope training = net.trainingMode()) {
            List<Parameter> params = net.trainableParameters();
            Adam adam = new Adam(params, 0.01, 0);
            for (int step = 0; step < STEPS && !nan; step++) {
                try (NDScope scope = new NDScope(); NDManager m = engine.manager().newSubManager();
                        GradientCollector collector = engine.engine().newGradientCollector()) {
                    scope.suppressNotUsedWarning();
                    NDArray x = OwnedArrays.of(m, xs, new Shape(BATCH, 1, 8, 8), DataType.FLOAT32);
                    NDArray mask = OwnedArrays.of(m, ms, new Shape(BATCH, 1, 8, 8), DataType.FLOAT32);
                    NDArray y = OwnedArrays.of(m, ys);
                    NDArray g = net.inputGradient(x, logits -> Losses.perSampleCrossEntropy(logits, y)).gradient();
                    collector.backward(g.mul(mask).square().sum());
                    for (Parameter p : params) {
                        nan |= p.array().getGradient().isNaN().any().getBoolean();
                    }
                }
                adam.step();
            }
        }
        return nan;
    }
}
