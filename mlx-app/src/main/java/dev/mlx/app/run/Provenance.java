package dev.mlx.app.run;

import dev.mlx.app.plugin.PluginInfo;
import dev.mlx.app.plugin.PluginKind;
import dev.mlx.app.plugin.PluginRegistry;
import java.util.LinkedHashMap;
import java.util.Map;

/** Where a result came from: versions, machine, plugins, seed and data checksum. */
public final class Provenance {
    private Provenance() {}

    /**
     * @param registry the plugins
     * @param spec the run
     * @param datasetChecksum the dataset checksum
     * @return a JSON-ready map
     */
    public static Map<String, Object> of(PluginRegistry registry, RunSpec spec, String datasetChecksum) {
        Map<String, Object> p = environment();
        p.put("seed", spec.training().seed());
        p.put("datasetChecksum", datasetChecksum);
        Map<String, Object> plugins = new LinkedHashMap<>();
        plugins.put("dataset", plugin(registry.require(PluginKind.DATASET, spec.dataset())));
        plugins.put("model", plugin(registry.require(PluginKind.MODEL, spec.model())));
        plugins.put("regularizer", plugin(registry.require(PluginKind.REGULARIZER, spec.regularizer())));
        p.put("plugins", plugins);
        p.put("pluginJars", jars(registry));
        return p;
    }

    /**
     * @param registry the plugins
     * @return every JAR loaded from the plugins folder with its SHA-256, JSON-ready
     */
    public static java.util.List<Map<String, Object>> jars(PluginRegistry registry) {
        java.util.List<Map<String, Object>> list = new java.util.ArrayList<>();
        for (dev.mlx.app.plugin.PluginJar jar : registry.jars()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("file", jar.path().toAbsolutePath().toString());
            m.put("sha256", jar.sha256());
            list.add(m);
        }
        return list;
    }

    /**
     * @return mlx version, the source commit (set by the {@code ./mlx} launcher as {@code -Dmlx.commit},
     *     else {@code unknown}), JVM, OS, CPUs, CPU model, memory and torch threads of this process, as a
     *     mutable JSON-ready map
     */
    public static Map<String, Object> environment() {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("mlxVersion", mlxVersion());
        p.put("java", System.getProperty("java.vendor") + " " + System.getProperty("java.version"));
        p.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch"));
        p.put("commit", System.getProperty("mlx.commit", "unknown"));
        p.put("cpus", Runtime.getRuntime().availableProcessors());
        cpuModel().ifPresent(model -> p.put("cpuModel", model));
        if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.OperatingSystemMXBean os) {
            p.put("memoryBytes", os.getTotalMemorySize());
        }
        p.put("torchThreads", System.getProperty("ai.djl.pytorch.num_threads", "default"));
        return p;
    }

    /**
     * @param info a plugin
     * @return its name, class, source JAR and version, JSON-ready
     */
    public static Map<String, Object> plugin(PluginInfo info) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", info.name());
        m.put("class", info.provider().getClass().getName());
        m.put("source", info.source());
        m.put("version", info.version());
        if (info.sha256() != null) {
            m.put("sha256", info.sha256());
        }
        return m;
    }

    /** @return the mlx version from the app JAR's manifest, or {@code "dev"} */
    public static String mlxVersion() {
        return PluginInfo.versionOf(Provenance.class);
    }

    /** @return the CPU model from {@code /proc/cpuinfo} (Linux), if readable */
    private static java.util.Optional<String> cpuModel() {
        try (var lines = java.nio.file.Files.lines(java.nio.file.Path.of("/proc/cpuinfo"))) {
            return lines.filter(l -> l.startsWith("model name")).findFirst()
                    .map(l -> l.substring(l.indexOf(':') + 1).trim());
        } catch (java.io.IOException | RuntimeException e) {
            return java.util.Optional.empty();
        }
    }
}
