package dev.mlx.app.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mlx.app.testing.CliRun;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every subcommand answers {@code --help} with its usage and exit code 0, without doing any work. */
class HelpTest {
    @ParameterizedTest
    @ValueSource(strings = {"plugins", "train", "demo", "compare", "bench", "eval", "export", "predict"})
    void subcommandHelpPrintsUsage(String command) {
        CliRun run = CliRun.of(command, "--help");
        assertEquals(0, run.exitCode(), run::toString);
        assertTrue(run.out().startsWith("Usage: mlx " + command), run::toString);
        assertTrue(run.errorLines().isEmpty(), run::toString);
    }

    @org.junit.jupiter.api.Test
    void aFolderNamedLikeASubcommandIsAcceptedAsAnOptionValue() {
        CliRun run = CliRun.of("--plugins-dir", "plugins", "plugins");
        assertEquals(0, run.exitCode(), run::toString);
        assertTrue(run.out().contains("regularizers:"), run::toString);
    }
}
