package dev.mlx.app.plugin;

import dev.mlx.api.Described;
import dev.mlx.api.error.MlxException;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every plugin mlx knows, by kind and name. Built once at start-up from one or more sources:
 * {@link Builder#discover(ClassLoader)} ({@link ServiceLoader} over a class loader, normally the
 * class path plus the JARs of the plugins folder) and {@link Builder#add} (direct registration,
 * for tests).
 *
 * <p>Rules: names are unique per kind, and a second plugin claiming a name stops start-up with an
 * error naming both sources; a plugin whose class cannot be loaded, or whose constructor,
 * {@code name()} or {@code parameters()} throws, is recorded as a {@link PluginLoadFailure} and
 * logged, and the others still load.
 */
public final class PluginRegistry {
    private static final Logger LOG = LoggerFactory.getLogger(PluginRegistry.class);
    private final Map<PluginKind, Map<String, PluginInfo>> plugins;
    private final List<PluginLoadFailure> failures;

    private PluginRegistry(Map<PluginKind, Map<String, PluginInfo>> plugins, List<PluginLoadFailure> failures) {
        this.plugins = plugins;
        this.failures = List.copyOf(failures);
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The class loader for a plugins folder: every {@code *.jar} in it (sorted by name), with
     * {@code parent} as parent. A missing folder gives {@code parent} itself.
     *
     * @param pluginsDir the folder
     * @param parent the parent loader (the application's)
     * @return the loader
     */
    public static ClassLoader pluginClassLoader(Path pluginsDir, ClassLoader parent) {
        if (pluginsDir == null || !Files.isDirectory(pluginsDir)) {
            return parent;
        }
        try (Stream<Path> files = Files.list(pluginsDir)) {
            List<URL> urls = new ArrayList<>();
            for (Path jar : files.filter(p -> p.getFileName().toString().endsWith(".jar")).sorted().toList()) {
                urls.add(jar.toUri().toURL());
            }
            if (urls.isEmpty()) {
                return parent;
            }
            LOG.info("plugins folder {}: {} JAR(s)", pluginsDir, urls.size());
            return new URLClassLoader("mlx-plugins", urls.toArray(URL[]::new), parent);
        } catch (MalformedURLException e) {
            throw MlxException.userError("cannot read plugins folder " + pluginsDir + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw MlxException.userError("cannot list plugins folder " + pluginsDir + ": " + e.getMessage(), e);
        }
    }

    /**
     * @param kind the extension point
     * @return its plugins by name, sorted by name
     */
    public Map<String, PluginInfo> plugins(PluginKind kind) {
        return plugins.get(kind);
    }

    /** @return one line naming every plugin and its source, for the start-up log */
    public String summary() {
        StringBuilder sb = new StringBuilder();
        for (PluginKind kind : PluginKind.values()) {
            sb.append(sb.length() == 0 ? "" : "; ").append(kind.label()).append("s ");
            sb.append(String.join(", ", plugins.get(kind).values().stream()
                    .map(p -> p.name() + " (" + p.source() + ")").toList()));
        }
        if (!failures.isEmpty()) {
            sb.append("; ").append(failures.size()).append(" failed to load");
        }
        return sb.toString();
    }

    /** @return the plugins that failed to load */
    public List<PluginLoadFailure> failures() {
        return failures;
    }

    /**
     * Looks a plugin up by name.
     *
     * @param kind the extension point
     * @param name the name the user typed
     * @return the plugin
     * @throws MlxException (user error) naming the known plugins of that kind
     */
    public PluginInfo require(PluginKind kind, String name) {
        PluginInfo info = plugins.get(kind).get(name);
        if (info == null) {
            throw MlxException.userError("unknown " + kind.label() + " '" + name + "'; known " + kind.label() + "s: "
                    + String.join(", ", plugins.get(kind).keySet())
                    + " (run `mlx plugins` for details; plugin JARs go in the plugins folder)");
        }
        return info;
    }

    /** Collects plugins from several sources, then {@link #build()}s an immutable registry. */
    public static final class Builder {
        private final Map<PluginKind, Map<String, PluginInfo>> plugins = new EnumMap<>(PluginKind.class);
        private final List<PluginLoadFailure> failures = new ArrayList<>();

        private Builder() {
            for (PluginKind kind : PluginKind.values()) {
                plugins.put(kind, new LinkedHashMap<>());
            }
        }

        /**
         * Registers a provider directly.
         *
         * @param kind the extension point
         * @param provider the provider
         * @param source where it came from, for messages
         * @return this
         */
        public Builder add(PluginKind kind, Described provider, String source) {
            if (!kind.service().isInstance(provider)) {
                throw new IllegalArgumentException(provider.getClass() + " is not a " + kind.service().getName());
            }
            String name = provider.name();
            PluginInfo existing = plugins.get(kind).get(name);
            if (existing != null) {
                throw MlxException.userError("two " + kind.label() + " plugins claim the name '" + name + "': "
                        + existing.provider().getClass().getName() + " from " + existing.source() + " and "
                        + provider.getClass().getName() + " from " + source
                        + "; remove one of the two JARs from the class path or plugins folder");
            }
            PluginInfo info = new PluginInfo(kind, provider, source, PluginInfo.versionOf(provider.getClass()));
            plugins.get(kind).put(name, info);
            LOG.debug("loaded {} plugin '{}' from {}", kind.label(), name, source);
            return this;
        }

        /**
         * Adds every provider {@link ServiceLoader} finds through {@code loader}.
         *
         * @param loader the class loader to search
         * @return this
         */
        public Builder discover(ClassLoader loader) {
            for (PluginKind kind : PluginKind.values()) {
                Iterator<? extends Described> it = ServiceLoader.load(kind.service(), loader).iterator();
                int failuresHere = 0;
                while (failuresHere < 1000) {
                    Described provider;
                    try {
                        if (!it.hasNext()) {
                            break;
                        }
                        provider = it.next();
                    } catch (ServiceConfigurationError | LinkageError e) {
                        failuresHere++;
                        String message = e.getMessage() + (e.getCause() == null ? "" : " (cause: " + e.getCause() + ")");
                        failures.add(new PluginLoadFailure(kind, message));
                        LOG.warn("a {} plugin failed to load and is skipped: {}", kind.label(), message);
                        continue;
                    }
                    String source = PluginInfo.sourceOf(provider.getClass());
                    try {
                        provider.parameters(); // describing itself is part of loading: fail here, not in a command
                        add(kind, provider, source);
                    } catch (MlxException e) {
                        throw e; // a duplicate name stops start-up
                    } catch (RuntimeException | LinkageError e) {
                        String message = "Provider " + provider.getClass().getName() + " from " + source
                                + " failed to describe itself (cause: " + e + ")";
                        failures.add(new PluginLoadFailure(kind, message));
                        LOG.warn("a {} plugin failed to load and is skipped: {}", kind.label(), message);
                    }
                }
            }
            return this;
        }

        /** @return the registry, plugins sorted by name */
        public PluginRegistry build() {
            Map<PluginKind, Map<String, PluginInfo>> sorted = new EnumMap<>(PluginKind.class);
            plugins.forEach((kind, map) -> {
                Map<String, PluginInfo> copy = new LinkedHashMap<>();
                map.values().stream().sorted(Comparator.comparing(PluginInfo::name))
                        .forEach(p -> copy.put(p.name(), p));
                sorted.put(kind, java.util.Collections.unmodifiableMap(copy));
            });
            return new PluginRegistry(sorted, failures);
        }
    }
}
