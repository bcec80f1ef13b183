package dev.mlx.api.train;

import dev.mlx.api.Described;
import dev.mlx.api.param.HyperParameters;
import java.util.Optional;

/**
 * Service interface for regularizers, the extension point most plugin authors want.
 *
 * <h2>Writing a regularizer plugin</h2>
 *
 * Depend on {@code dev.mlx:mlx-api} only (scope {@code provided}), write one class, and list it
 * in {@code META-INF/services/dev.mlx.api.train.RegularizerProvider}. Drop the JAR into the
 * {@code plugins/} folder (or put it on the class path) and {@code mlx plugins} lists it;
 * {@code mlx train --regularizer <name>} uses it. Example: an L1 penalty on the input gradient of
 * the masked features,
 *
 * <pre>{@code
 * package com.example;
 *
 * public final class MaskedL1Provider implements RegularizerProvider {
 *     public String name() { return "masked-l1"; }
 *     public String description() { return "lambda * mean |m * dCE/dx|"; }
 *     public ParameterSchema parameters() {
 *         return ParameterSchema.builder()
 *                 .addDouble("lambda", 1.0, 0, Double.POSITIVE_INFINITY, "penalty weight")
 *                 .build();
 *     }
 *     public Regularizer create(HyperParameters p) {
 *         double lambda = p.getDouble("lambda");
 *         return (model, batch, ctx) -> {
 *             InputGradient g = model.inputGradient(batch.inputs(),
 *                     logits -> Losses.perSampleCrossEntropy(logits, batch.labels()));
 *             return Scalars.times(g.gradient().mul(batch.masks()).abs().mean(), lambda);
 *         };
 *     }
 * }
 * }</pre>
 *
 * and the services file holds the single line {@code com.example.MaskedL1Provider}.
 *
 * <p>Multiply by numbers with {@link Scalars} rather than DJL's {@code mul(Number)}: the latter
 * lets the backward pass read freed memory (see {@link Scalars}). The engine's test kit
 * ({@code RegularizerTestKit.checkAll}) checks this in your compiled classes.
 *
 * <p><b>Rules.</b> The constructor must be public, take no arguments and do no work (no native
 * calls, no I/O): discovery instantiates every provider. {@link #name()} must be unique among
 * regularizers; a duplicate stops discovery with both JARs named. Hyper-parameters are declared
 * in {@link #parameters()} with defaults and ranges; {@link #create} receives them validated.
 * The {@code mlx-engine-djl} test-jar ({@code RegularizerTestKit}) checks a plugin's parameter
 * gradients against finite differences, its determinism and that it leaks no native memory.
 */
public interface RegularizerProvider extends Described {

    /**
     * @param params validated values for {@link #parameters()}
     * @return a regularizer configured with them
     */
    Regularizer create(HyperParameters params);

    /**
     * @return whether this regularizer works on token-id inputs through
     *     {@link Model#tokenEmbeddings()} (text models) rather than on continuous inputs; such
     *     regularizers are left out of {@code mlx compare --methods all}, which compares the
     *     methods for continuous inputs
     */
    default boolean forTokenModels() {
        return false;
    }

    /**
     * Names the method this token-model regularizer implements, so that users can ask for the
     * method by its usual name whatever the model: when a regularizer named {@code N} is requested
     * for a model whose {@link dev.mlx.api.model.ModelProvider#offersTokenEmbeddings()} is true and
     * some regularizer with {@link #forTokenModels()} returns {@code Optional.of(N)} here, the app
     * runs that one instead (it logs the choice and records the plugin it ran, so the run's
     * config repeats it). For example {@code token-adv-r4} returns {@code adv-r4}, so
     * {@code --regularizer adv-r4 --model minilm} runs {@code token-adv-r4}. At most one
     * regularizer may claim a name; two claims stop the run with both named.
     *
     * @return the name of the regularizer for continuous inputs that this one stands in for on
     *     token models; empty (the default) for none, and always empty unless {@link #forTokenModels()}
     */
    default Optional<String> tokenModelCounterpartOf() {
        return Optional.empty();
    }

    /**
     * @return whether the penalty uses no capability of the model's inputs (no input gradient,
     *     interval bounds or token embeddings), so the regularizer runs unchanged on continuous
     *     and on token models alike; true for ERM, false by default
     */
    default boolean forAnyModel() {
        return false;
    }

    /** @return whether this regularizer reads the explanation masks (ERM does not) */
    default boolean usesMasks() {
        return true;
    }
}
