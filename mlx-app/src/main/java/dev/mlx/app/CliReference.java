package dev.mlx.app;

import dev.mlx.app.command.AppSettings;
import dev.mlx.app.command.EngineHolder;
import dev.mlx.app.plugin.PluginRegistry;
import java.io.IOException;
import java.io.PrintStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine;

/**
 * Generates {@code docs/cli.md}, the command-line reference, from the picocli model of the commands, so
 * that it cannot drift from the code ({@code CliReferenceTest} fails when the committed file differs).
 * Regenerate after changing an option:
 *
 * <pre>
 * mvn -q -DskipTests package &amp;&amp; java -cp "mlx-app/target/mlx-app.jar:mlx-app/target/lib/*" dev.mlx.app.CliReference docs/cli.md
 * </pre>
 */
public final class CliReference {
    private CliReference() {}

    /** @param args the file to write, e.g. {@code docs/cli.md} */
    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: CliReference docs/cli.md");
            System.exit(2);
        }
        Files.writeString(Path.of(args[0]), markdown(), StandardCharsets.UTF_8);
    }

    /** @return the reference: every visible command's usage help, in the order {@code mlx --help} lists them */
    public static String markdown() {
        PrintStream sink = new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8);
        AppSettings settings = new AppSettings(Path.of("~/.cache/mlx"), Path.of("~/.config/mlx/plugins"), sink, sink);
        try (EngineHolder engine = new EngineHolder()) {
            CommandLine root = Main.commandLine(settings, engine, PluginRegistry.builder().build());
            StringBuilder md = new StringBuilder();
            md.append("# mlx command-line reference\n\n")
                    .append("Generated from the commands' picocli model by `dev.mlx.app.CliReference`; do not edit by hand.\n")
                    .append("`mlx <command> --help` prints the same text. Bash completion: `source <(./mlx completion)`.\n");
            section(md, "mlx", root);
            for (Map.Entry<String, CommandLine> e : root.getSubcommands().entrySet()) {
                if (!e.getValue().getCommandSpec().usageMessage().hidden()) {
                    section(md, "mlx " + e.getKey(), e.getValue());
                }
            }
            return md.toString();
        }
    }

    private static void section(StringBuilder md, String title, CommandLine cli) {
        md.append("\n## ").append(title).append("\n\n```text\n")
                .append(cli.getUsageMessage(CommandLine.Help.Ansi.OFF).stripTrailing()).append("\n```\n");
    }
}
