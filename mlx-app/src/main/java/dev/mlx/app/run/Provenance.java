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
        return p;
    }

    /** @return mlx version, JVM, OS, CPUs and torch threads of this process, as a mutable JSON-ready map */
    public static Map<String, Object> environment() {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("mlxVersion", mlxVersion());
        p.put("java", System.getProperty("java.vendor") + " " + System.getProperty("java.version"));
        p.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch"));
        p.put("cpus", Runtime.getRuntime().availableProcessors());
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
        return m;
    }

    /** @return the mlx version from the app JAR's manifest, or {@code "dev"} */
    public static String mlxVersion() {
        return PluginInfo.versionOf(Provenance.class);
    }
}
