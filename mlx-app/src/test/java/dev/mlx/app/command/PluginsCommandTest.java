package dev.mlx.app.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mlx.api.Described;
import dev.mlx.api.param.ParameterSpec;
import dev.mlx.app.plugin.PluginKind;
import dev.mlx.app.plugin.PluginRegistry;
import dev.mlx.app.testing.CliRun;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code mlx plugins} lists every built-in plugin with its source and its hyper-parameters with defaults. */
class PluginsCommandTest {
    private static CliRun run;
    private static List<String> lines;

    @BeforeAll
    static void listPlugins(@TempDir Path tmp) {
        run = CliRun.of("--plugins-dir", tmp.resolve("no-plugins").toString(), "plugins");
        lines = run.out().lines().toList();
    }

    @Test
    void exitsZeroWithoutErrors() {
        assertEquals(0, run.exitCode(), run::toString);
        assertTrue(run.errorLines().isEmpty(), run::toString);
        assertFalse(run.out().contains("failed to load"), run::toString);
    }

    @Test
    void listsEachKindUnderItsHeading() {
        assertEquals(List.of("erm", "rrr", "cert-r4"), section("regularizers:", List.of("erm", "rrr", "cert-r4")));
        assertEquals(List.of("decoy-mnist"), section("datasets:", List.of("decoy-mnist")));
        assertEquals(List.of("mlp"), section("models:", List.of("mlp")));
    }

    @Test
    void namesTheJarOrClassesFolderEachPluginCameFrom() {
        // From the installed module JAR (mvn -pl) or the module's classes folder (reactor, IDE).
        Map<String, String> module = Map.of("erm", "mlx-engine-djl", "rrr", "mlx-engine-djl",
                "cert-r4", "mlx-engine-djl", "decoy-mnist", "mlx-plugins-vision", "mlp", "mlx-plugins-vision");
        module.forEach((name, artifact) -> {
            String from = lines.get(entry(name) + 1).trim();
            Pattern expected = Pattern.compile("from (" + Pattern.quote(artifact) + "-[0-9][^ /]*\\.jar|"
                    + Pattern.quote(artifact) + "/target/classes) \\(version [^,]+, [\\w.]+\\)");
            assertTrue(expected.matcher(from).matches(), () -> name + ": unexpected source line '" + from + "'");
        });
    }

    @Test
    void listsEveryHyperParameterWithItsDefault() {
        PluginRegistry registry = PluginRegistry.builder().discover(getClass().getClassLoader()).build();
        for (PluginKind kind : PluginKind.values()) {
            registry.plugins(kind).forEach((name, info) -> {
                List<String> params = parameterLines(kind, name); // names are unique per kind only
                Described provider = info.provider();
                List<ParameterSpec> specs = provider.parameters().specs();
                assertEquals(specs.size(), params.size(), () -> name + ": " + params);
                for (int i = 0; i < specs.size(); i++) {
                    ParameterSpec s = specs.get(i);
                    String line = params.get(i).trim();
                    assertTrue(line.startsWith(s.name() + " = " + s.defaultValue() + "  ["),
                            name + ": expected " + s.name() + " = " + s.defaultValue() + " in '" + line + "'");
                }
            });
        }
        // The paper defaults, spelled out so a changed default or a dropped line is noticed.
        assertParameter("cert-r4", "epsilon = 0.5  [double (allowed: >= 0.0)]");
        assertParameter("cert-r4", "lambda = 15.0");
        assertParameter("cert-r4", "form = bounds  [string (allowed: bounds, paper)]");
        assertParameter("rrr", "lambda = 10.0");
        assertParameter("rrr", "weight-l2 = 1.0E-4");
        assertParameter("mlp", "hidden = 512  [int (allowed: 1 .. 65536)]");
        assertParameter("mlp", "layers = 1");
        assertParameter("decoy-mnist", "train-limit = 0");
        assertParameter("decoy-mnist", "test-limit = 0");
        assertParameter("decoy-mnist", "dir = ");
    }

    private void assertParameter(String plugin, String expected) {
        assertTrue(parameterLines(plugin).stream().anyMatch(l -> l.trim().startsWith(expected)),
                () -> plugin + ": no line starting with '" + expected + "' in\n" + run.out());
    }

    private static List<String> section(String heading, List<String> names) {
        int start = lines.indexOf(heading);
        assertTrue(start >= 0, () -> "no '" + heading + "' in\n" + run.out());
        List<String> found = new ArrayList<>();
        for (int i = start + 1; i < lines.size() && !lines.get(i).isEmpty(); i++) {
            for (String n : names) {
                if (lines.get(i).startsWith("  " + n + " ")) {
                    found.add(n);
                }
            }
        }
        // keep the order of `names` so the assertion reads as a set comparison
        return names.stream().filter(found::contains).toList();
    }

    private static int entry(String name) {
        return entry(0, name);
    }

    private static int entry(int from, String name) {
        for (int i = from; i < lines.size() - 1; i++) {
            if (lines.get(i).startsWith("  " + name + " ") && lines.get(i + 1).trim().startsWith("from ")) {
                return i;
            }
        }
        throw new AssertionError(name + " is not listed:\n" + run.out());
    }

    /** @return the parameter lines printed under plugin {@code name} (after its "from" line) */
    private static List<String> parameterLines(String name) {
        return parametersAfter(entry(name));
    }

    /** @return the parameter lines of plugin {@code name} of {@code kind} (searched from the kind's heading) */
    private static List<String> parameterLines(PluginKind kind, String name) {
        int heading = lines.indexOf(kind.label() + "s:");
        assertTrue(heading >= 0, () -> "no heading for " + kind.label() + "s in\n" + run.out());
        return parametersAfter(entry(heading, name));
    }

    private static List<String> parametersAfter(int entry) {
        List<String> params = new ArrayList<>();
        for (int i = entry + 2; i < lines.size(); i++) {
            String l = lines.get(i);
            if (l.isEmpty() || !l.startsWith("                   ")) {
                break;
            }
            params.add(l);
        }
        return params;
    }
}
