package dev.mlx.api.model;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A feed-forward network as an ordered list of layers, ending in the logits (never in a softmax
 * or sigmoid: the task loss applies the single softmax).
 *
 * @param layers the layers, input first
 */
public record Architecture(List<LayerSpec> layers) {
    public Architecture {
        layers = List.copyOf(layers);
        if (layers.isEmpty()) {
            throw new IllegalArgumentException("an architecture needs at least one layer");
        }
    }

    @Override
    public String toString() {
        return layers.stream().map(LayerSpec::describe).collect(Collectors.joining(" -> "));
    }
}
