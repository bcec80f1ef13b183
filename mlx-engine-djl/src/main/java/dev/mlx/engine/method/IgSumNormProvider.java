package dev.mlx.engine.method;

import dev.mlx.api.param.HyperParameters;
import dev.mlx.api.param.ParameterSchema;
import dev.mlx.api.train.Regularizer;
import dev.mlx.api.train.RegularizerProvider;

/**
 * IG-SUM-NORM (Chen, Wu, Rastogi, Liang and Jha, "Robust Attribution Regularization", NeurIPS
 * 2019), seed 004, reference spec §13.2: adversarial training and the IG norm in one objective,
 *
 * <pre>
 * x'   = argmax over ||x' - x||_inf <= eps (and [0, 1] if clamp) of sum_b [CE(f(x'_b), y_b) + lambda R_b(x, x')]
 * loss = mean_b CE(f(x'_b), y_b) + lambda * mean_b R_b(x, x')
 * </pre>
 *
 * with {@code R_b = ||IG_b(x, x')||_1} as in {@link IgNormProvider} (same integrated gradients,
 * PGD, normalisation and chunking). The task loss is on {@code x'} instead of {@code x}: the
 * engine's CE on {@code x} gets weight 0 ({@link Regularizer#taskLossWeight}) and the penalty is
 * {@code mean_b CE(f(x'_b), y_b) + lambda * mean_b R_b}, with {@code x'} a constant (Danskin).
 * {@code attack=exact} (the default) ascends the whole sum through
 * {@link dev.mlx.api.train.Model#gradient}; {@code attack=ce} ascends {@code CE(f(x'), y)} only
 * (the cheap proxy, then the method is PGD training plus the IG norm at the PGD point).
 * Default {@code lambda = 0.1} (the reference's MNIST value).
 */
public final class IgSumNormProvider implements RegularizerProvider {
    @Override
    public String name() {
        return "ig-sum-norm";
    }

    @Override
    public String description() {
        return "IG-SUM-NORM (Chen et al., NeurIPS 2019): CE(x') + lambda * ||IG(x, x')||_1, x' a PGD point maximising it";
    }

    /** Whole-input robustness: the masks are not read. */
    @Override
    public boolean usesMasks() {
        return false;
    }

    @Override
    public ParameterSchema parameters() {
        return IgNormProvider.schema(0.1, "weight of the IG norm (the reference's MNIST value: 0.1)",
                "exact: PGD on CE(x') + lambda ||IG||_1 itself (the paper); ce: PGD on CE(x') only (cheaper proxy)");
    }

    @Override
    public Regularizer create(HyperParameters params) {
        return IgNormProvider.regularizer(params, true);
    }
}
