package dev.mlx.api.model;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A feed-forward network as an ordered list of layers, ending in the logits (never in a softmax
 * or sigmoid: the task loss applies the single softmax).
 *
 * <p>Two options serve fine-tuning: the first {@code frozenLayers} layers keep their parameters
 * fixed (they are not trained, though gradients still flow through them to the input), and
 * {@code pretrained} names a file whose tensors initialise the network before training.
 *
 * @param layers the layers, input first
 * @param frozenLayers how many leading layers are frozen, {@code 0 <= frozenLayers <= layers.size()}
 * @param pretrained initial weights, or {@code null} to initialise from the seed
 */
public record Architecture(List<LayerSpec> layers, int frozenLayers, PretrainedWeights pretrained) {
    public Architecture {
        layers = List.copyOf(layers);
        if (layers.isEmpty()) {
            throw new IllegalArgumentException("an architecture needs at least one layer");
        }
        if (frozenLayers < 0 || frozenLayers > layers.size()) {
            throw new IllegalArgumentException("frozenLayers = " + frozenLayers + " must lie in [0, " + layers.size()
                    + "]");
        }
    }

    /**
     * An architecture trained entirely from a seeded initialisation.
     *
     * @param layers the layers, input first
     */
    public Architecture(List<LayerSpec> layers) {
        this(layers, 0, null);
    }

    @Override
    public String toString() {
        String text = layers.stream().map(LayerSpec::describe).collect(Collectors.joining(" -> "));
        if (frozenLayers > 0) {
            text += " (first " + frozenLayers + " layers frozen)";
        }
        if (pretrained != null) {
            text += " (initial weights " + pretrained.file() + ")";
        }
        return text;
    }
}
