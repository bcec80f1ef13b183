package dev.mlx.app.run;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The per-dataset defaults are the settings the validation searches chose (docs/results/sweeps). */
class MethodDefaultsTest {
    @Test
    void decoyMnistUsesTheValidationChoices() {
        assertEquals(new MethodDefaults(30, 0.001, 1000, Map.of("lambda", "10", "epsilon", "1")),
                MethodDefaults.of("decoy-mnist", "pgd-ex"));
        assertEquals(new MethodDefaults(30, 0.001, 1000, Map.of("lambda", "100")), MethodDefaults.of("decoy-mnist", "cdep"));
        assertEquals(new MethodDefaults(30, 0.003, 1000, Map.of("lambda", "500", "epsilon", "5", "weight-l2", "0")),
                MethodDefaults.of("decoy-mnist", "rand-r4"));
        assertEquals(new MethodDefaults(30, 0.001, 1000, Map.of("epsilon", "0.1")), MethodDefaults.of("decoy-mnist", "pgd-at"));
        assertEquals("0.1", MethodDefaults.of("decoy-mnist", "ig-sum-norm").regularizerParams().get("epsilon"));
    }

    @Test
    void decoyFashionMnistHasItsOwnChoices() {
        assertEquals(new MethodDefaults(30, 0.003, 1000, Map.of("lambda", "10", "lambda-rrr", "100")),
                MethodDefaults.of("decoy-fashion-mnist", "ibp-ex-rrr"));
        assertEquals(new MethodDefaults(30, 0.001, 1000, Map.of("sigma", "1")), MethodDefaults.of("decoy-fashion-mnist", "corm"));
        assertEquals(new MethodDefaults(30, 0.001, 1000), MethodDefaults.of("decoy-fashion-mnist", "pgd-at"),
                "a method without a search there: 30 epochs, lr 0.001, batch 1000, its own hyper-parameters");
    }

    @Test
    void otherDatasetsFallBack() {
        assertEquals(new MethodDefaults(10, 0.001, 256), MethodDefaults.of("decoy-derm", "rrr"));
    }
}
