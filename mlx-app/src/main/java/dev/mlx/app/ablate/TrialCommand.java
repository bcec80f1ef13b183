package dev.mlx.app.ablate;

import dev.mlx.app.command.AppSettings;
import dev.mlx.app.command.EngineHolder;
import dev.mlx.app.exec.TrialProcess;
import dev.mlx.app.plugin.PluginCatalog;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code mlx trial <folder>} (hidden): runs one trial of a sweep or an ablation in this process
 * ({@link TrialRunner}). The executors ({@link dev.mlx.app.exec.TrialExecutor}) start it once per
 * trial; users never call it.
 */
@Command(name = TrialProcess.COMMAND, aliases = "ablate-trial", hidden = true,
        description = "Run one trial from its folder (started by mlx sweep and mlx ablate; not for direct use).")
public final class TrialCommand implements Callable<Integer> {
    @Parameters(index = "0", description = "The trial folder holding trial.json.")
    Path trialDir;

    private final PluginCatalog catalog;
    private final AppSettings settings;
    private final EngineHolder engine;

    @Inject
    public TrialCommand(PluginCatalog catalog, AppSettings settings, EngineHolder engine) {
        this.catalog = catalog;
        this.settings = settings;
        this.engine = engine;
    }

    @Override
    public Integer call() {
        TrialResult r = new TrialRunner(catalog, engine.get(), settings.cacheDir()).run(trialDir);
        settings.out().printf(Locale.ROOT, "trial %s: Avg Acc %.4f, Wg Acc %.4f, %d training examples%n",
                r.trial().id(), r.test().averageGroupAccuracy(), r.test().worstGroupAccuracy(), r.trainSize());
        return 0;
    }
}
