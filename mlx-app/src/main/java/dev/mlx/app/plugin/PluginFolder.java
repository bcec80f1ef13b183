package dev.mlx.app.plugin;

import dev.mlx.api.error.MlxException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JARs of a plugins folder, checked before any class is loaded from them.
 *
 * <p>Every {@code *.jar} (sorted by name) is opened: one that is not a readable JAR (random bytes,
 * truncated, not a zip) is reported by file name and left out, so that the others still load. For
 * the readable ones the folder records their SHA-256 (provenance) and which JAR declares each
 * provider class in its {@code META-INF/services} files, so that a provider that cannot be loaded
 * is reported with the JAR that named it.
 */
public final class PluginFolder {
    private static final Logger LOG = LoggerFactory.getLogger(PluginFolder.class);

    private final Path dir;
    private final List<PluginJar> jars;
    private final List<PluginLoadFailure> failures;
    private final Map<String, String> declaringJar;

    private PluginFolder(Path dir, List<PluginJar> jars, List<PluginLoadFailure> failures,
            Map<String, String> declaringJar) {
        this.dir = dir;
        this.jars = List.copyOf(jars);
        this.failures = List.copyOf(failures);
        this.declaringJar = Map.copyOf(declaringJar);
    }

    /**
     * Reads a plugins folder; a missing folder has no JARs.
     *
     * @param dir the folder, or {@code null}
     * @return what it holds
     * @throws MlxException (user error) if the folder exists but cannot be listed
     */
    public static PluginFolder scan(Path dir) {
        List<PluginJar> jars = new ArrayList<>();
        List<PluginLoadFailure> failures = new ArrayList<>();
        Map<String, String> declaring = new HashMap<>();
        if (dir == null || !Files.isDirectory(dir)) {
            return new PluginFolder(dir, jars, failures, declaring);
        }
        List<Path> files;
        try (Stream<Path> list = Files.list(dir)) {
            files = list.filter(p -> p.getFileName().toString().endsWith(".jar")).sorted().toList();
        } catch (IOException e) {
            throw MlxException.userError("cannot list plugins folder " + dir + ": " + e.getMessage()
                    + "; check its permissions or choose another with --plugins-dir", e);
        }
        for (Path file : files) {
            String name = file.getFileName().toString();
            try (JarFile jar = new JarFile(file.toFile())) {
                for (PluginKind kind : PluginKind.values()) {
                    JarEntry services = jar.getJarEntry("META-INF/services/" + kind.service().getName());
                    if (services != null) {
                        for (String provider : providerNames(jar.getInputStream(services))) {
                            declaring.putIfAbsent(provider, name);
                        }
                    }
                }
                jars.add(new PluginJar(file, sha256(file)));
            } catch (IOException | SecurityException e) {
                String message = name + " in " + dir + " is not a readable JAR (" + e.getMessage()
                        + "); it is skipped: replace it with the plugin's JAR or remove it";
                failures.add(new PluginLoadFailure(null, name, message));
                LOG.warn("plugin JAR skipped: {}", message);
            }
        }
        return new PluginFolder(dir, jars, failures, declaring);
    }

    /** @return the readable JARs, sorted by file name */
    public List<PluginJar> jars() {
        return jars;
    }

    /** @return the JARs that could not be read */
    public List<PluginLoadFailure> failures() {
        return failures;
    }

    /**
     * @param providerClass a provider class name from a services file
     * @return the file name of the JAR whose services file names it, or {@code null}
     */
    public String declaringJar(String providerClass) {
        return declaringJar.get(providerClass);
    }

    /**
     * @param parent the application's class loader
     * @return a loader over the readable JARs with {@code parent} as parent, or {@code parent} itself when
     *     there are none
     */
    public ClassLoader classLoader(ClassLoader parent) {
        if (jars.isEmpty()) {
            return parent;
        }
        List<URL> urls = new ArrayList<>();
        for (PluginJar jar : jars) {
            try {
                urls.add(jar.path().toUri().toURL());
            } catch (MalformedURLException e) {
                throw MlxException.userError("cannot read plugin JAR " + jar.path() + ": " + e.getMessage(), e);
            }
        }
        LOG.info("plugins folder {}: {} JAR(s)", dir, urls.size());
        return new URLClassLoader("mlx-plugins", urls.toArray(URL[]::new), parent);
    }

    private static List<String> providerNames(InputStream in) throws IOException {
        List<String> names = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                int hash = line.indexOf('#');
                String name = (hash >= 0 ? line.substring(0, hash) : line).strip();
                if (!name.isEmpty()) {
                    names.add(name);
                }
            }
        }
        return names;
    }

    static String sha256(Path file) throws IOException {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            try (InputStream in = Files.newInputStream(file)) {
                byte[] buffer = new byte[1 << 16];
                for (int n; (n = in.read(buffer)) > 0; ) {
                    digest.update(buffer, 0, n);
                }
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }
}
