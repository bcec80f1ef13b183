package dev.mlx.api.data;

import dev.mlx.api.Described;
import dev.mlx.api.param.HyperParameters;

/**
 * Service interface for datasets. Register an implementation in
 * {@code META-INF/services/dev.mlx.api.data.DatasetProvider}.
 *
 * <p>Construction must be cheap (no I/O); {@link #load} does the work. Loading must be
 * deterministic for a given seed, must not mutate shared state, and must draw any train/test
 * split exactly once.
 */
public interface DatasetProvider extends Described {
    /**
     * Loads (fetching first if allowed and needed) and builds the dataset.
     *
     * @param params hyper-parameters bound to {@link #parameters()}
     * @param seed the seed for any random construction (e.g. decoy placement)
     * @param context where to find and cache files
     * @return the dataset
     * @throws dev.mlx.api.error.MlxException (user error) for a missing or corrupt file, saying where to get it
     */
    ExplanationDataset load(HyperParameters params, long seed, DataContext context);
}
