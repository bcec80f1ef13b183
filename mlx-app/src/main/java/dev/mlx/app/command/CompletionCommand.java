package dev.mlx.app.command;

import jakarta.inject.Inject;
import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code mlx completion}: the bash completion script of every command and option (picocli's AutoComplete). */
@Command(name = "completion", description = "Print a bash completion script for mlx: source <(./mlx completion)"
        + " or save it to /etc/bash_completion.d/mlx.")
public final class CompletionCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    private final AppSettings settings;

    @Inject
    public CompletionCommand(AppSettings settings) {
        this.settings = settings;
    }

    @Override
    public Integer call() {
        settings.out().print(AutoComplete.bash("mlx", spec.root().commandLine()));
        settings.out().flush();
        return 0;
    }
}
