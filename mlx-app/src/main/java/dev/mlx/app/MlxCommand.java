package dev.mlx.app;

import dev.mlx.app.ablate.AblateCommand;
import dev.mlx.app.ablate.TrialCommand;
import dev.mlx.app.sweep.SweepCommand;
import dev.mlx.app.command.BenchCommand;
import dev.mlx.app.command.CompareCommand;
import dev.mlx.app.command.DemoCommand;
import dev.mlx.app.command.EvalCommand;
import dev.mlx.app.command.ExplainCommand;
import dev.mlx.app.command.ExportCommand;
import dev.mlx.app.command.CompletionCommand;
import dev.mlx.app.command.InfoCommand;
import dev.mlx.app.command.PluginsCommand;
import dev.mlx.app.command.PredictCommand;
import dev.mlx.app.command.TrainCommand;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The top-level {@code mlx} command; its global options are read before plugin discovery. */
@Command(name = "mlx", mixinStandardHelpOptions = true, scope = picocli.CommandLine.ScopeType.INHERIT, versionProvider = VersionProvider.class,
        description = "Learning from explanations: train models that are right for the right reasons.",
        subcommands = {PluginsCommand.class, TrainCommand.class, DemoCommand.class, CompareCommand.class,
                BenchCommand.class, EvalCommand.class, ExplainCommand.class, ExportCommand.class,
                PredictCommand.class, AblateCommand.class, SweepCommand.class, TrialCommand.class, InfoCommand.class, CompletionCommand.class})
public final class MlxCommand implements Runnable {
    @Option(names = "--plugins-dir", scope = picocli.CommandLine.ScopeType.INHERIT,
            description = "Folder of plugin JARs (default: $MLX_PLUGINS, else $XDG_CONFIG_HOME/mlx/plugins, by default"
                    + " ~/.config/mlx/plugins; never the working directory).")
    Path pluginsDir;

    @Option(names = "--cache-dir", scope = picocli.CommandLine.ScopeType.INHERIT,
            description = "Where datasets are fetched and cached (default: $MLX_CACHE or ~/.cache/mlx).")
    Path cacheDir;

    @Option(names = "--device", scope = picocli.CommandLine.ScopeType.INHERIT, paramLabel = "auto|cpu|cuda|cuda:N",
            description = "Where models run (default: $MLX_DEVICE, else auto: the first CUDA device when the PyTorch "
                    + "engine has one, else the CPU). cuda needs the cuda build (docs/gpu.md).")
    String device;

    @Option(names = {"-v", "--verbose"}, scope = picocli.CommandLine.ScopeType.INHERIT,
            description = "Show the log on the terminal too (-v: INFO, -vv: DEBUG). The full log is always in the run "
                    + "folder's mlx.log.")
    boolean[] verbose;

    @Option(names = {"-q", "--quiet"}, scope = picocli.CommandLine.ScopeType.INHERIT,
            description = "Print only the result and errors: no header, no progress, no epoch lines.")
    boolean quiet;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
