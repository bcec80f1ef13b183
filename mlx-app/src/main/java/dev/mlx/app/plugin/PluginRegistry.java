package dev.mlx.app.plugin;

import dev.mlx.api.Described;
import dev.mlx.api.error.MlxException;
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
    private final List<PluginJar> jars;

    private PluginRegistry(Map<PluginKind, Map<String, PluginInfo>> plugins, List<PluginLoadFailure> failures,
            List<PluginJar> jars) {
        this.plugins = plugins;
        this.failures = List.copyOf(failures);
        this.jars = List.copyOf(jars);
    }

    /** @return the plugin JARs loaded from the plugins folder, with their SHA-256, sorted by file name */
    public List<PluginJar> jars() {
        return jars;
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The class loader for a plugins folder: every readable {@code *.jar} in it (sorted by name), with
     * {@code parent} as parent ({@link PluginFolder}). A missing folder gives {@code parent} itself.
     *
     * @param pluginsDir the folder
     * @param parent the parent loader (the application's)
     * @return the loader
     */
    public static ClassLoader pluginClassLoader(Path pluginsDir, ClassLoader parent) {
        return PluginFolder.scan(pluginsDir).classLoader(parent);
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
        private final List<PluginJar> jars = new ArrayList<>();
        private final Map<String, String> jarSha256 = new java.util.HashMap<>();

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
            PluginInfo info = new PluginInfo(kind, provider, source, PluginInfo.versionOf(provider.getClass()),
                    jarSha256.get(source));
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
            return discover(loader, PluginFolder.scan(null));
        }

        /**
         * Adds every provider in the readable JARs of a plugins folder (and on {@code parent}'s class
         * path); a JAR that cannot be read, or a provider its services file names that cannot be
         * loaded, is recorded as a failure naming the JAR, and the others still load.
         *
         * @param pluginsDir the plugins folder (may be missing)
         * @param parent the application's class loader
         * @return this
         */
        public Builder discoverFolder(Path pluginsDir, ClassLoader parent) {
            PluginFolder folder = PluginFolder.scan(pluginsDir);
            failures.addAll(folder.failures());
            for (PluginJar jar : folder.jars()) {
                jars.add(jar);
                jarSha256.put(jar.fileName(), jar.sha256());
            }
            return discover(folder.classLoader(parent), folder);
        }

        private Builder discover(ClassLoader loader, PluginFolder folder) {
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
                        String jar = declaringJar(folder, e.getMessage());
                        String message = e.getMessage() + (jar == null ? "" : " (listed in " + jar + ")")
                                + (e.getCause() == null ? "" : " (cause: " + e.getCause() + ")");
                        failures.add(new PluginLoadFailure(kind, jar == null ? "class path" : jar, message));
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
                        failures.add(new PluginLoadFailure(kind, source, message));
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
            return new PluginRegistry(sorted, failures, jars);
        }

        /** The JAR whose services file names the provider in a ServiceLoader message ("Provider a.B not found"). */
        private static String declaringJar(PluginFolder folder, String message) {
            if (message == null) {
                return null;
            }
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("Provider (\\S+)").matcher(message);
            return m.find() ? folder.declaringJar(m.group(1)) : null;
        }
    }
}
