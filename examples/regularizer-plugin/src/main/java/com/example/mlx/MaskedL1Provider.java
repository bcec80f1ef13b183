package com.example.mlx;

import dev.mlx.api.param.HyperParameters;
import dev.mlx.api.param.ParameterSchema;
import dev.mlx.api.train.InputGradient;
import dev.mlx.api.train.Losses;
import dev.mlx.api.train.Regularizer;
import dev.mlx.api.train.RegularizerProvider;
import dev.mlx.api.train.Scalars;

/**
 * The {@code masked-l1} regularizer: an L1 penalty on the input gradient of the masked features,
 * {@code lambda * mean |m * dCE/dx|} over the batch, where {@code m} is the explanation mask (1 on
 * the features the model must not use) and {@code CE} the per-example cross-entropy.
 *
 * <p>Found by mlx through {@code META-INF/services/dev.mlx.api.train.RegularizerProvider}; the
 * constructor does no work.
 */
public final class MaskedL1Provider implements RegularizerProvider {
    @Override
    public String name() {
        return "masked-l1";
    }

    @Override
    public String description() {
        return "lambda * mean |m * dCE/dx|";
    }

    @Override
    public ParameterSchema parameters() {
        return ParameterSchema.builder()
                .addDouble("lambda", 1.0, 0, Double.POSITIVE_INFINITY, "penalty weight")
                .build();
    }

    @Override
    public Regularizer create(HyperParameters p) {
        double lambda = p.getDouble("lambda");
        return (model, batch, ctx) -> {
            InputGradient g = model.inputGradient(batch.inputs(),
                    logits -> Losses.perSampleCrossEntropy(logits, batch.labels()));
            // Scalars.times, not mul(Number): see docs/writing-a-plugin.md
            return Scalars.times(g.gradient().mul(batch.masks()).abs().mean(), lambda);
        };
    }
}
