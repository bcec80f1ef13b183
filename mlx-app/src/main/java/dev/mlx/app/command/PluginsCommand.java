package dev.mlx.app.command;

import dev.mlx.api.param.ParameterSpec;
import dev.mlx.app.plugin.PluginCatalog;
import dev.mlx.app.plugin.PluginInfo;
import dev.mlx.app.plugin.PluginKind;
import dev.mlx.app.plugin.PluginLoadFailure;
import dev.mlx.app.plugin.RegularizerResolver;
import jakarta.inject.Inject;
import java.io.PrintStream;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code mlx plugins}: every discovered dataset, model, regularizer, metric and attribution method with its JAR and hyper-parameters. */
@Command(name = "plugins", description = "List every discovered dataset, model, regularizer, metric and attribution method plugin.")
public final class PluginsCommand implements Callable<Integer> {
    private final PluginCatalog catalog;
    private final AppSettings settings;

    @Inject
    public PluginsCommand(PluginCatalog catalog, AppSettings settings) {
        this.catalog = catalog;
        this.settings = settings;
    }

    @Override
    public Integer call() {
        PrintStream out = settings.out();
        out.println("plugins folder: " + settings.pluginsDir().toAbsolutePath());
        for (dev.mlx.app.plugin.PluginJar jar : catalog.registry().jars()) {
            out.println("  " + jar.fileName() + "  sha256 " + jar.sha256());
        }
        for (PluginKind kind : PluginKind.values()) {
            out.println();
            out.println(kind.label() + "s:");
            for (PluginInfo info : catalog.registry().plugins(kind).values()) {
                out.printf("  %-14s %s%n", info.name(), info.provider().description());
                out.printf("  %-14s from %s (version %s, %s)%s%n", "", info.source(), info.version(),
                        info.provider().getClass().getName(), info.sha256() == null ? "" : " sha256 " + info.sha256());
                for (ParameterSpec p : info.provider().parameters().specs()) {
                    out.printf("  %-14s   %s = %s  [%s%s] %s%n", "", p.name(), p.defaultValue(),
                            p.type().name().toLowerCase(java.util.Locale.ROOT), p.allowed(), p.description());
                }
            }
        }
        RegularizerResolver resolver = new RegularizerResolver(catalog);
        java.util.Map<String, String> tokenNames = resolver.tokenModelNames();
        if (!tokenNames.isEmpty()) {
            out.println();
            out.println("regularizer names on token models (" + String.join(", ", resolver.tokenModels())
                    + "): these run their token-model counterparts");
            tokenNames.forEach((name, plugin) -> out.printf("  %-14s -> %s%n", name, plugin));
        }
        if (!catalog.registry().failures().isEmpty()) {
            out.println();
            out.println("plugins that failed to load (skipped):");
            for (PluginLoadFailure f : catalog.registry().failures()) {
                out.println("  " + f.label() + ": " + f.message());
            }
        }
        return 0;
    }
}
