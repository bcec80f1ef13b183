package dev.mlx.engine.nn;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import dev.mlx.api.error.UnsupportedCapabilityException;
import dev.mlx.api.train.Interval;
import dev.mlx.engine.testkit.RegularizerTestKit;
import dev.mlx.engine.testkit.SharedEngine;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A layer without interval passes is refused before any bound is computed, with its name and position. */
class UnsupportedLayerTest {
    @Test
    void intervalBoundsNameTheFirstUnsupportedLayer() {
        try (Network base = SharedEngine.get().networks().create(RegularizerTestKit.TINY_MLP, new int[] {2, 3}, 1)) {
            List<Layer> layers = new ArrayList<>(base.layersForTest());
            layers.add(2, new Layer() {
                @Override
                public String describe() {
                    return "MaxPool2d(2)";
                }

                @Override
                public List<Parameter> parameters() {
                    return List.of();
                }

                @Override
                public NDArray forward(NDArray x) {
                    return x;
                }

                @Override
                public boolean supportsIntervals() {
                    return false;
                }

                @Override
                public Interval forwardInterval(Interval input) {
                    throw new AssertionError("must not be called");
                }

                @Override
                public Interval backwardInterval(Interval g, Interval input) {
                    throw new AssertionError("must not be called");
                }
            });
            Network net = base.withLayersForTest(layers);
            UnsupportedCapabilityException e = assertThrows(UnsupportedCapabilityException.class, net::intervalBounds);
            assertTrue(e.getMessage().contains("layer 2 (MaxPool2d(2))"), e.getMessage());
            assertTrue(e.getMessage().contains("supported layer types"), e.getMessage());
        }
    }
}
