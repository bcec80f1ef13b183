package dev.mlx.engine.nn;

import dev.mlx.api.train.Interval;
import java.util.ArrayList;
import java.util.List;

/**
 * The reference for the compact first-layer paths of {@link Network} (a linear first layer that
 * works on the masked columns only): the same network, sharing its parameters, with its first
 * linear layer behind a faithful wrapper that the network does not recognise, so every product is
 * the dense one.
 */
final class DenseFirstLayer {
    private DenseFirstLayer() {}

    /** @return a view of {@code net} that always takes the dense path (do not close it) */
    static Network of(Network net) {
        List<Layer> out = new ArrayList<>(net.layersForTest());
        for (int i = 0; i < out.size(); i++) {
            if (out.get(i) instanceof LinearLayer linear) {
                out.set(i, new UnsoundLayer(linear) {
                    @Override
                    public Interval forwardInterval(Interval input) {
                        return linear.forwardInterval(input);
                    }

                    @Override
                    public Interval backwardInterval(Interval outputGradient, Interval input) {
                        return linear.backwardInterval(outputGradient, input);
                    }
                });
                return net.withLayersForTest(out);
            }
        }
        throw new AssertionError("no linear layer in " + net.layersForTest());
    }
}
