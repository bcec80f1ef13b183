package dev.mlx.app.command;

import dev.mlx.api.error.MlxException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import picocli.CommandLine.Option;

/**
 * The {@code --seed} / {@code --seeds} options of the commands that can repeat every run over
 * several restarts (a picocli mixin): {@code --seeds 0,1,2} trains each method once per seed and
 * reports mean ± std over them; {@code --seed 3} is one restart.
 */
public final class SeedOptions {
    @Option(names = "--seed", description = "Seed of data construction, initialisation and shuffling (default: 0).")
    Long seed;

    @Option(names = "--seeds", split = ",", paramLabel = "SEED", description = "Restarts: train every"
            + " method once per seed (e.g. 0,1,2) and report Avg and Wg Acc as mean ± std over the seeds.")
    List<Long> seeds;

    /**
     * @return the seeds to run, in the order given ({@code [0]} when neither option is given)
     * @throws MlxException (user error) when both options are given, a seed repeats or one is negative
     */
    public List<Long> seeds() {
        if (seed != null && seeds != null) {
            throw MlxException.userError("give either --seed or --seeds, not both (--seeds " + seed + " for one seed)");
        }
        if (seeds == null) {
            return List.of(seed == null ? 0L : seed);
        }
        Set<Long> unique = new LinkedHashSet<>();
        for (Long s : seeds) {
            if (s < 0) {
                throw MlxException.userError("--seeds " + s + " is negative; seeds are 0 or more");
            }
            if (!unique.add(s)) {
                throw MlxException.userError("--seeds lists " + s + " twice; give every seed once");
            }
        }
        return List.copyOf(unique);
    }
}
