package com.example.mlx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mlx.api.train.RegularizerProvider;
import dev.mlx.engine.testkit.RegularizerTestKit;
import dev.mlx.engine.testkit.SharedEngine;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

/** The plugin as mlx will use it: found through its services file, and passing the engine's test kit. */
class MaskedL1ProviderTest {
    @Test
    void passesTheKit() {
        // finite-difference parameter gradients, determinism under a seed, no leaked NDArrays,
        // hyper-parameter validation, no DJL arithmetic with a borrowed Number
        new RegularizerTestKit(SharedEngine.get()).checkAll(new MaskedL1Provider());
    }

    @Test
    void isFoundThroughItsServicesFile() {
        assertTrue(ServiceLoader.load(RegularizerProvider.class).stream()
                .anyMatch(p -> p.type() == MaskedL1Provider.class), "META-INF/services lists the provider");
        assertEquals("masked-l1", new MaskedL1Provider().name());
    }
}
