package dev.mlx.app.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mlx.api.error.ErrorKind;
import dev.mlx.api.error.MlxException;
import dev.mlx.api.data.DatasetProvider;
import dev.mlx.api.param.ParameterSpec;
import dev.mlx.api.train.RegularizerProvider;
import dev.mlx.app.testing.CliRun;
import dev.mlx.app.testing.PluginJars;
import dev.mlx.app.testing.TinyDecoyProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The discovery rules of {@link PluginRegistry}: a JAR dropped into the plugins folder is found
 * with no code change, duplicate names stop start-up naming both JARs, a broken plugin is
 * reported while the others still load, and direct registration obeys the same rules.
 */
class PluginDiscoveryTest {
    private static final List<String> BUILT_INS = List.of("erm", "rrr", "cert-r4", "decoy-mnist", "mlp");

    @TempDir
    Path tmp;

    private Path maskedL1Jar(Path pluginsDir) throws IOException {
        return PluginJars.build(tmp, pluginsDir.resolve("masked-l1.jar"),
                Map.of("com.example.MaskedL1Provider",
                        PluginJars.regularizerSource("com.example", "MaskedL1Provider", "masked-l1")),
                Map.of(PluginJars.REGULARIZER_SERVICE, List.of("com.example.MaskedL1Provider")));
    }

    @Test
    void aJarDroppedIntoThePluginsFolderIsListedWithItsSource() throws IOException {
        Path plugins = tmp.resolve("plugins");
        maskedL1Jar(plugins);

        CliRun run = CliRun.of("--plugins-dir", plugins.toString(), "plugins");

        assertEquals(0, run.exitCode(), run::toString);
        List<String> lines = run.out().lines().toList();
        int at = indexOfEntry(lines, "masked-l1");
        assertTrue(at >= 0, () -> "masked-l1 not listed:\n" + run.out());
        String from = lines.get(at + 1);
        assertTrue(from.contains("from masked-l1.jar"), () -> "wrong source line for masked-l1: " + from);
        assertTrue(from.contains("version 9.9.9-test"), () -> "manifest version not shown: " + from);
        assertTrue(from.contains("com.example.MaskedL1Provider"), from);
        assertTrue(lines.get(at + 2).contains("lambda = 1.0"), () -> "parameter not listed: " + lines.get(at + 2));
        // It is listed among the regularizers, not under another kind.
        int regularizers = lines.indexOf("regularizers:");
        assertTrue(regularizers >= 0 && at > regularizers, run::toString);
        // The built-ins are still there.
        for (String name : BUILT_INS) {
            assertTrue(indexOfEntry(lines, name) >= 0, () -> name + " missing:\n" + run.out());
        }
    }

    @Test
    void pluginClassLoaderDiscoveryFindsTheDroppedJar() throws IOException {
        Path plugins = tmp.resolve("plugins");
        maskedL1Jar(plugins);

        ClassLoader loader = PluginRegistry.pluginClassLoader(plugins, getClass().getClassLoader());
        PluginRegistry registry = PluginRegistry.builder().discover(loader).build();

        PluginInfo info = registry.require(PluginKind.REGULARIZER, "masked-l1");
        assertEquals("masked-l1.jar", info.source());
        assertEquals("9.9.9-test", info.version());
        assertEquals("com.example.MaskedL1Provider", info.provider().getClass().getName());
        assertSame(loader, info.provider().getClass().getClassLoader(), "loaded from the plugins folder's loader");
        assertInstanceOf(RegularizerProvider.class, info.provider());
        assertEquals(builtInsPlus("masked-l1"),
                List.copyOf(registry.plugins(PluginKind.REGULARIZER).keySet()), "sorted by name, built-ins kept");
        assertTrue(registry.failures().isEmpty(), () -> registry.failures().toString());
        // Without the folder, the same discovery does not know it.
        PluginRegistry plain = PluginRegistry.builder().discover(getClass().getClassLoader()).build();
        assertThrows(MlxException.class, () -> plain.require(PluginKind.REGULARIZER, "masked-l1"));
    }

    @Test
    void missingOrEmptyPluginsFolderFallsBackToTheParentLoader() throws IOException {
        ClassLoader parent = getClass().getClassLoader();
        assertSame(parent, PluginRegistry.pluginClassLoader(tmp.resolve("does-not-exist"), parent));
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        Files.writeString(empty.resolve("README.txt"), "not a jar");
        assertSame(parent, PluginRegistry.pluginClassLoader(empty, parent));
    }

    @Test
    void twoJarsClaimingOneNameIsAnErrorNamingBothJars() throws IOException {
        Path plugins = tmp.resolve("plugins");
        PluginJars.build(tmp, plugins.resolve("a.jar"),
                Map.of("com.example.a.DupA", PluginJars.regularizerSource("com.example.a", "DupA", "dup")),
                Map.of(PluginJars.REGULARIZER_SERVICE, List.of("com.example.a.DupA")));
        PluginJars.build(tmp, plugins.resolve("b.jar"),
                Map.of("com.example.b.DupB", PluginJars.regularizerSource("com.example.b", "DupB", "dup")),
                Map.of(PluginJars.REGULARIZER_SERVICE, List.of("com.example.b.DupB")));

        CliRun run = CliRun.of("--plugins-dir", plugins.toString(), "plugins");

        assertEquals(2, run.exitCode(), run::toString);
        String message = run.singleError();
        assertTrue(message.contains("'dup'"), message);
        assertTrue(message.contains("a.jar"), message);
        assertTrue(message.contains("b.jar"), message);
        assertTrue(message.contains("com.example.a.DupA") && message.contains("com.example.b.DupB"), message);
        assertTrue(run.out().isEmpty(), () -> "nothing should be listed: " + run.out());
    }

    @Test
    void aJarDuplicatingABuiltInNameIsAnErrorNamingBothSources() throws IOException {
        Path plugins = tmp.resolve("plugins");
        PluginJars.build(tmp, plugins.resolve("fake-rrr.jar"),
                Map.of("com.example.FakeRrr", PluginJars.regularizerSource("com.example", "FakeRrr", "rrr")),
                Map.of(PluginJars.REGULARIZER_SERVICE, List.of("com.example.FakeRrr")));

        CliRun run = CliRun.of("--plugins-dir", plugins.toString(), "plugins");

        assertEquals(2, run.exitCode(), run::toString);
        String message = run.singleError();
        assertTrue(message.contains("'rrr'") && message.contains("fake-rrr.jar")
                && message.contains("mlx-engine-djl"), message);
    }

    @Test
    void aPluginThatFailsToLoadIsReportedAndTheOthersStillLoad() throws IOException {
        Path plugins = tmp.resolve("plugins");
        String throwing = """
                package com.example.bad;
                public final class Throwing extends Base {
                    public Throwing() { throw new IllegalStateException("boom in constructor"); }
                }
                """;
        String base = """
                package com.example.bad;
                public abstract class Base implements dev.mlx.api.train.RegularizerProvider {
                    public String name() { return getClass().getSimpleName().toLowerCase(); }
                    public String description() { return "test"; }
                    public dev.mlx.api.train.Regularizer create(dev.mlx.api.param.HyperParameters p) {
                        return (m, b, c) -> { throw new UnsupportedOperationException(); };
                    }
                }
                """;
        String badName = """
                package com.example.bad;
                public final class BadName extends Base {
                    public String name() { throw new IllegalStateException("boom in name"); }
                }
                """;
        String badParams = """
                package com.example.bad;
                public final class BadParams extends Base {
                    public dev.mlx.api.param.ParameterSchema parameters() {
                        throw new IllegalStateException("boom in parameters");
                    }
                }
                """;
        String survivor = "package com.example.bad;\npublic final class Survivor extends Base {}\n";
        Map<String, String> sources = new LinkedHashMap<>();
        sources.put("com.example.bad.Base", base);
        sources.put("com.example.bad.Throwing", throwing);
        sources.put("com.example.bad.BadName", badName);
        sources.put("com.example.bad.BadParams", badParams);
        sources.put("com.example.bad.Survivor", survivor);
        // The broken entries come first in the same services file, so "the others still load"
        // cannot be an accident of ordering.
        PluginJars.build(tmp, plugins.resolve("bad.jar"), sources, Map.of(PluginJars.REGULARIZER_SERVICE,
                List.of("com.example.bad.Throwing", "com.example.bad.Missing", "com.example.bad.BadName",
                        "com.example.bad.BadParams", "com.example.bad.Survivor")));

        CliRun run = CliRun.of("--plugins-dir", plugins.toString(), "plugins");

        assertEquals(0, run.exitCode(), run::toString);
        List<String> lines = run.out().lines().toList();
        for (String name : BUILT_INS) {
            assertTrue(indexOfEntry(lines, name) >= 0, () -> name + " missing:\n" + run.out());
        }
        int survivorAt = indexOfEntry(lines, "survivor");
        assertTrue(survivorAt >= 0 && lines.get(survivorAt + 1).contains("from bad.jar"), run::toString);
        int failures = lines.indexOf("plugins that failed to load (skipped):");
        assertTrue(failures >= 0, () -> "failures not listed:\n" + run.out());
        String failureText = String.join("\n", lines.subList(failures, lines.size()));
        assertTrue(failureText.contains("com.example.bad.Throwing") && failureText.contains("boom in constructor"),
                failureText);
        assertTrue(failureText.contains("com.example.bad.Missing") && failureText.contains("listed in bad.jar"),
                failureText);
        assertTrue(failureText.contains("com.example.bad.BadName") && failureText.contains("boom in name")
                && failureText.contains("bad.jar"), failureText);
        assertTrue(failureText.contains("com.example.bad.BadParams") && failureText.contains("boom in parameters"),
                failureText);
        assertEquals(4, lines.subList(failures + 1, lines.size()).stream()
                .filter(l -> l.startsWith("  regularizer: ")).count(), failureText);

        PluginRegistry registry = PluginRegistry.builder()
                .discover(PluginRegistry.pluginClassLoader(plugins, getClass().getClassLoader())).build();
        assertEquals(4, registry.failures().size(), registry.failures()::toString);
        assertTrue(registry.failures().stream().allMatch(f -> f.kind() == PluginKind.REGULARIZER));
        assertEquals(builtInsPlus("survivor"), List.copyOf(registry.plugins(PluginKind.REGULARIZER).keySet()));
    }

    /** The built-in regularizers (at least erm, rrr, cert-r4) plus {@code extra}, sorted by name. */
    private List<String> builtInsPlus(String extra) {
        List<String> names = new java.util.ArrayList<>(PluginRegistry.builder().discover(getClass().getClassLoader())
                .build().plugins(PluginKind.REGULARIZER).keySet());
        assertTrue(names.containsAll(List.of("erm", "rrr", "cert-r4")), names::toString);
        names.add(extra);
        java.util.Collections.sort(names);
        return names;
    }

    @Test
    void aJarOfRandomBytesIsNamedAndTheOtherJarsStillLoad() throws Exception {
        Path plugins = tmp.resolve("plugins");
        maskedL1Jar(plugins);
        byte[] noise = new byte[4096];
        new java.util.Random(3).nextBytes(noise);
        Files.write(plugins.resolve("x.jar"), noise);
        Files.write(plugins.resolve("empty.jar"), new byte[0]);

        CliRun run = CliRun.of("--plugins-dir", plugins.toString(), "plugins");

        assertEquals(0, run.exitCode(), run::toString);
        List<String> lines = run.out().lines().toList();
        assertTrue(indexOfEntry(lines, "masked-l1") >= 0, run::toString);
        for (String name : BUILT_INS) {
            assertTrue(indexOfEntry(lines, name) >= 0, () -> name + " missing:\n" + run.out());
        }
        int failures = lines.indexOf("plugins that failed to load (skipped):");
        assertTrue(failures >= 0, run::toString);
        List<String> failureLines = lines.subList(failures + 1, lines.size());
        assertTrue(failureLines.stream().anyMatch(l -> l.startsWith("  plugin JAR: x.jar in ")
                && l.contains("is not a readable JAR")), run::toString);
        assertTrue(failureLines.stream().anyMatch(l -> l.startsWith("  plugin JAR: empty.jar in ")), run::toString);
        // the readable JAR is listed with its SHA-256, the unreadable ones are not
        String sha = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest(Files.readAllBytes(plugins.resolve("masked-l1.jar"))));
        assertTrue(lines.contains("  masked-l1.jar  sha256 " + sha), run::toString);
        assertTrue(lines.get(indexOfEntry(lines, "masked-l1") + 1).endsWith(" sha256 " + sha), run::toString);
        assertTrue(lines.stream().noneMatch(l -> l.startsWith("  x.jar  sha256")), run::toString);

        PluginRegistry registry = PluginRegistry.builder().discoverFolder(plugins, getClass().getClassLoader()).build();
        assertEquals(List.of("masked-l1.jar"), registry.jars().stream().map(PluginJar::fileName).toList());
        assertEquals(2, registry.failures().size(), registry.failures()::toString);
        assertTrue(registry.failures().stream().allMatch(f -> f.kind() == null), registry.failures()::toString);
        assertEquals(java.util.Set.of("x.jar", "empty.jar"),
                registry.failures().stream().map(PluginLoadFailure::source).collect(java.util.stream.Collectors.toSet()));
    }

    /**
     * Without --plugins-dir or MLX_PLUGINS, mlx takes plugins from the user's configuration directory, never
     * from the working directory: a JAR in {@code ./plugins} of an arbitrary folder is not loaded (a child JVM
     * started in that folder, as a user would).
     */
    @Test
    void theWorkingDirectorysPluginsFolderIsNotLoadedButTheConfigDirectorysIs() throws Exception {
        Path work = Files.createDirectories(tmp.resolve("downloaded-project"));
        maskedL1Jar(work.resolve("plugins"));
        Path home = Files.createDirectories(tmp.resolve("home"));

        String listed = childMlx(work, home, null, "plugins");
        assertTrue(listed.contains("plugins folder: " + home.resolve(".config/mlx/plugins")), listed);
        assertTrue(!listed.contains("masked-l1"), () -> "a JAR in ./plugins was loaded:\n" + listed);

        Path xdg = tmp.resolve("xdg");
        maskedL1Jar(xdg.resolve("mlx").resolve("plugins"));
        String fromConfig = childMlx(work, home, xdg, "plugins");
        assertTrue(fromConfig.contains("masked-l1"), () -> "the config directory's JAR was not loaded:\n" + fromConfig);
        assertTrue(fromConfig.contains("plugins folder: " + xdg.resolve("mlx/plugins")), fromConfig);
    }

    private static String childMlx(Path workDir, Path home, Path xdgConfig, String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
                "-Duser.home=" + home, "-Dai.djl.offline=true",
                "-cp", System.getProperty("java.class.path"), "dev.mlx.app.Main"));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true);
        pb.environment().remove("MLX_PLUGINS");
        pb.environment().remove("XDG_CONFIG_HOME");
        if (xdgConfig != null) {
            pb.environment().put("XDG_CONFIG_HOME", xdgConfig.toString());
        }
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS), "mlx did not finish");
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    @Test
    void directRegistrationWorksAndIsUsedByTheCommands() {
        TinyDecoyProvider tiny = new TinyDecoyProvider();
        PluginRegistry registry = PluginRegistry.builder().add(PluginKind.DATASET, tiny, "test").build();

        PluginInfo info = registry.require(PluginKind.DATASET, "tiny-decoy");
        assertSame(tiny, info.provider());
        assertEquals("test", info.source());
        assertTrue(registry.plugins(PluginKind.REGULARIZER).isEmpty(), "no discovery unless asked (ServiceLoader off)");

        CliRun run = CliRun.of(b -> b.add(PluginKind.DATASET, tiny, "test"),
                "--plugins-dir", tmp.resolve("none").toString(), "plugins");
        assertEquals(0, run.exitCode(), run::toString);
        List<String> lines = run.out().lines().toList();
        int at = indexOfEntry(lines, "tiny-decoy");
        assertTrue(at >= 0 && lines.get(at + 1).contains("from test"), run::toString);
        for (ParameterSpec p : tiny.parameters().specs()) {
            assertTrue(run.out().contains(p.name() + " = " + p.defaultValue()), run::toString);
        }
    }

    @Test
    void directRegistrationRejectsDuplicatesNamingBothSources() {
        PluginRegistry.Builder builder = PluginRegistry.builder().add(PluginKind.DATASET, new TinyDecoyProvider(), "first");
        MlxException e = assertThrows(MlxException.class,
                () -> builder.add(PluginKind.DATASET, new TinyDecoyProvider(), "second"));
        assertEquals(ErrorKind.USER, e.kind());
        assertTrue(e.getMessage().contains("'tiny-decoy'") && e.getMessage().contains("first")
                && e.getMessage().contains("second"), e.getMessage());

        // The same name under another kind is not a clash... but the provider must implement that kind.
        assertThrows(IllegalArgumentException.class,
                () -> PluginRegistry.builder().add(PluginKind.REGULARIZER, new TinyDecoyProvider(), "x"));

        // A directly added plugin and a discovered one with the same name clash too.
        MlxException clash = assertThrows(MlxException.class, () -> PluginRegistry.builder()
                .add(PluginKind.DATASET, renamed("decoy-mnist"), "test")
                .discover(getClass().getClassLoader()));
        assertTrue(clash.getMessage().contains("'decoy-mnist'") && clash.getMessage().contains("test")
                && clash.getMessage().contains("mlx-plugins-vision"), clash.getMessage());

        CliRun run = CliRun.of(b -> b.add(PluginKind.DATASET, renamed("decoy-mnist"), "test"),
                "--plugins-dir", tmp.resolve("none").toString(), "plugins");
        assertEquals(2, run.exitCode(), run::toString);
        assertTrue(run.singleError().contains("'decoy-mnist'"), run::toString);
    }

    @Test
    void unknownNameListsTheKnownOnes() {
        PluginRegistry registry = PluginRegistry.builder().discover(getClass().getClassLoader()).build();
        MlxException e = assertThrows(MlxException.class, () -> registry.require(PluginKind.MODEL, "resnet"));
        assertEquals(ErrorKind.USER, e.kind());
        assertTrue(e.getMessage().contains("unknown model 'resnet'") && e.getMessage().contains("mlp"), e.getMessage());
        assertNotNull(registry.require(PluginKind.MODEL, "mlp"));
    }

    private static DatasetProvider renamed(String name) {
        TinyDecoyProvider delegate = new TinyDecoyProvider();
        return new DatasetProvider() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public String description() {
                return "renamed";
            }

            @Override
            public dev.mlx.api.data.ExplanationDataset load(dev.mlx.api.param.HyperParameters params, long seed,
                    dev.mlx.api.data.DataContext context) {
                return delegate.load(delegate.parameters().defaults(), seed, context);
            }
        };
    }

    /** @return the index of the line {@code mlx plugins} prints first for plugin {@code name}, or -1 */
    static int indexOfEntry(List<String> lines, String name) {
        for (int i = 0; i < lines.size() - 1; i++) {
            String l = lines.get(i);
            if (l.startsWith("  " + name + " ") && lines.get(i + 1).trim().startsWith("from ")) {
                return i;
            }
        }
        return -1;
    }
}
