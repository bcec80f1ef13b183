package dev.mlx.engine.method;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.mlx.api.error.MlxException;
import dev.mlx.api.param.HyperParameters;
import dev.mlx.api.train.RegularizerProvider;
import dev.mlx.api.train.TrainingContext;
import dev.mlx.engine.nn.Network;
import dev.mlx.engine.testkit.RegularizerTestKit;
import dev.mlx.engine.testkit.SharedEngine;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class BuiltInRegularizersTest {
    static List<RegularizerProvider> providers() {
        return List.of(new ErmProvider(), new RrrProvider(), new CertR4Provider());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("providers")
    void passesTheRegularizerTestKit(RegularizerProvider provider) {
        new RegularizerTestKit(SharedEngine.get()).checkAll(provider);
    }

    @Test
    void rrrGradientMatchesFiniteDifferencesWithoutTheWeightTermAndPerFeatureReduction() {
        RrrProvider rrr = new RrrProvider();
        HyperParameters p = rrr.parameters().bind("rrr", Map.of("weight-l2", "0", "reduction", "features", "lambda", "300"));
        double worst = new RegularizerTestKit(SharedEngine.get()).checkParameterGradient(rrr, p, 1e-4);
        assertTrue(worst < 1e-4);
    }

    @Test
    void certR4PaperFormMatchesFiniteDifferences() {
        CertR4Provider cert = new CertR4Provider();
        HyperParameters p = cert.parameters().bind("cert-r4", Map.of("form", "paper", "epsilon", "0.3"));
        new RegularizerTestKit(SharedEngine.get()).checkParameterGradient(cert, p, 1e-4);
    }

    @Test
    void negativeEpsilonIsRejectedWithTheKeyAndValue() {
        MlxException e = assertThrows(MlxException.class,
                () -> new CertR4Provider().parameters().bind("cert-r4", Map.of("epsilon", "-0.1")));
        assertTrue(e.getMessage().contains("epsilon") && e.getMessage().contains("-0.1"), e.getMessage());
    }

    @Test
    void ermPenaltyIsZero() {
        try (NDManager m = SharedEngine.get().manager().newSubManager();
                Network net = SharedEngine.get().networks().create(RegularizerTestKit.TINY_MLP, new int[] {2, 3}, 1)) {
            var batch = RegularizerTestKit.batch(m, 1);
            assertEquals(0.0, new ErmProvider().create(ermDefaults()).penalty(net, batch,
                    new TrainingContext(0, 1, 0, 3, 0, m)).getFloat(), 0.0);
        }
    }

    private static HyperParameters ermDefaults() {
        return new ErmProvider().parameters().defaults();
    }
}
