package dev.mlx.engine.attribution;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mlx.api.attribution.AttributionProvider;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every attribution method claims differentiability with respect to the parameters; this checks the
 * claim against central finite differences ({@link AttributionTestKit}) for both targets and the
 * options that change the computation.
 */
class AttributionGradientTest {
    private final AttributionTestKit kit = new AttributionTestKit(dev.mlx.engine.testkit.SharedEngine.get());

    private void check(AttributionProvider provider, Map<String, String> params) {
        double worst = kit.checkParameterGradient(provider, provider.parameters().bind(provider.name(), params), 1e-6);
        assertTrue(worst <= 1e-6, provider.name() + " " + params + ": " + worst);
    }

    @Test
    void inputGradient() {
        check(new InputGradientAttributionProvider(), Map.of());
        check(new InputGradientAttributionProvider(), Map.of("target", "cross-entropy", "times-input", "true"));
    }

    @Test
    void smoothGrad() {
        check(new SmoothGradProvider(), Map.of("samples", "3", "internal-batch-size", "5"));
        check(new SmoothGradProvider(), Map.of("samples", "2", "target", "cross-entropy"));
    }

    @Test
    void integratedGradients() {
        check(new IntegratedGradientsProvider(), Map.of("steps", "4", "internal-batch-size", "6"));
        check(new IntegratedGradientsProvider(), Map.of("steps", "3", "target", "cross-entropy",
                "baseline", "uniform"));
    }
}
