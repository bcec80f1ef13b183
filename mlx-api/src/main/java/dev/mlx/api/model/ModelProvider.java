package dev.mlx.api.model;

import dev.mlx.api.Described;
import dev.mlx.api.param.HyperParameters;

/**
 * Service interface for model architectures. Register an implementation in
 * {@code META-INF/services/dev.mlx.api.model.ModelProvider}.
 */
public interface ModelProvider extends Described {
    /**
     * Builds the architecture for a dataset.
     *
     * @param params hyper-parameters bound to {@link #parameters()}
     * @param exampleShape the shape of one input example, e.g. {@code [1, 28, 28]}
     * @param numClasses the number of logits to produce
     * @return the architecture
     * @throws dev.mlx.api.error.MlxException (user error) if the architecture cannot take this input
     */
    Architecture build(HyperParameters params, int[] exampleShape, int numClasses);

    /**
     * @return whether the networks this plugin builds take token ids and offer
     *     {@link dev.mlx.api.train.Model#tokenEmbeddings()} (their first layer is a
     *     {@link LayerSpec.TextEncoder}); the app then runs a requested regularizer's token-model
     *     counterpart ({@link dev.mlx.api.train.RegularizerProvider#tokenModelCounterpartOf()}).
     *     False by default; a plugin building a text encoder must return true (the app checks)
     */
    default boolean offersTokenEmbeddings() {
        return false;
    }
}
