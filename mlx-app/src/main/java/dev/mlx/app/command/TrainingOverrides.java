package dev.mlx.app.command;

import dev.mlx.app.run.MethodDefaults;
import dev.mlx.engine.train.TrainingConfig;

/**
 * Training settings that replace every method's defaults in a comparison ({@code mlx demo},
 * {@code mlx compare}); a {@code null} field keeps the method's own value from
 * {@link MethodDefaults}.
 *
 * @param epochs epochs, or {@code null}
 * @param batchSize batch size, or {@code null}
 * @param learningRate Adam learning rate, or {@code null}
 * @param fragments gradient-accumulation fragments per batch, or {@code null} (then 1)
 */
record TrainingOverrides(Integer epochs, Integer batchSize, Double learningRate, Integer fragments) {
    /** No overrides: every method trains with its defaults. */
    static final TrainingOverrides NONE = new TrainingOverrides(null, null, null, null);

    /**
     * @param defaults a method's defaults
     * @param seed the run seed
     * @return the validated training settings (no weight decay)
     */
    TrainingConfig apply(MethodDefaults defaults, long seed) {
        return new TrainingConfig(epochs != null ? epochs : defaults.epochs(),
                batchSize != null ? batchSize : defaults.batchSize(),
                learningRate != null ? learningRate : defaults.learningRate(), 0.0, seed,
                fragments != null ? fragments : 1);
    }

    /**
     * @param user the user's overrides
     * @return these settings with every non-null field of {@code user} taking precedence
     */
    TrainingOverrides overriddenBy(TrainingOverrides user) {
        return new TrainingOverrides(user.epochs != null ? user.epochs : epochs,
                user.batchSize != null ? user.batchSize : batchSize,
                user.learningRate != null ? user.learningRate : learningRate,
                user.fragments != null ? user.fragments : fragments);
    }
}
