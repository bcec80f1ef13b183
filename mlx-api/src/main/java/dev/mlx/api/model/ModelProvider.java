package dev.mlx.api.model;

import dev.mlx.api.Described;
import dev.mlx.api.data.ExplanationDataset;
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

    /**
     * Checks, before {@link #build}, what the shape does not tell: that this model reads the
     * dataset's inputs as they were encoded, e.g. that a text model's vocabulary is the one its
     * token ids come from ({@link ExplanationDataset#TOKENIZER}). The app calls it before every
     * training run and every restore of a saved run. Nothing is checked by default.
     *
     * @param params hyper-parameters bound to {@link #parameters()}
     * @param data the dataset
     * @throws dev.mlx.api.error.MlxException (user error) naming the mismatch and the fix
     */
    default void checkInputs(HyperParameters params, ExplanationDataset data) {}
}
