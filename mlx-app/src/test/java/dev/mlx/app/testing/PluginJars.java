package dev.mlx.app.testing;

import dev.mlx.api.train.RegularizerProvider;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.ByteArrayOutputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * Builds plugin JARs the way a third-party author would: Java source compiled against the
 * test class path (which holds {@code mlx-api}), packed with a {@code META-INF/services} file.
 */
public final class PluginJars {
    private PluginJars() {}

    /** The service file of regularizer plugins. */
    public static final String REGULARIZER_SERVICE = "META-INF/services/" + RegularizerProvider.class.getName();

    /**
     * Source of a regularizer provider in package {@code pkg}, class {@code cls}, registered as
     * {@code name}: an L1 penalty on the masked input gradient (the example in
     * {@link RegularizerProvider}'s javadoc).
     */
    public static String regularizerSource(String pkg, String cls, String name) {
        return """
                package %1$s;

                import dev.mlx.api.param.HyperParameters;
                import dev.mlx.api.param.ParameterSchema;
                import dev.mlx.api.train.InputGradient;
                import dev.mlx.api.train.Losses;
                import dev.mlx.api.train.Regularizer;
                import dev.mlx.api.train.RegularizerProvider;

                public final class %2$s implements RegularizerProvider {
                    public String name() { return "%3$s"; }
                    public String description() { return "lambda * mean |m * dCE/dx| (%2$s)"; }
                    public ParameterSchema parameters() {
                        return ParameterSchema.builder()
                                .addDouble("lambda", 1.0, 0, Double.POSITIVE_INFINITY, "penalty weight")
                                .build();
                    }
                    public Regularizer create(HyperParameters p) {
                        double lambda = p.getDouble("lambda");
                        return (model, batch, ctx) -> {
                            InputGradient g = model.inputGradient(batch.inputs(),
                                    logits -> Losses.perSampleCrossEntropy(logits, batch.labels()));
                            return g.gradient().mul(batch.masks()).abs().mean().mul(lambda);
                        };
                    }
                }
                """.formatted(pkg, cls, name);
    }

    /**
     * Compiles {@code sources} (fully qualified class name to source) and writes a JAR holding the
     * classes and the given service files.
     *
     * @param work a scratch folder
     * @param jar the JAR to write
     * @param sources class name to Java source
     * @param serviceFiles entry name (e.g. {@link #REGULARIZER_SERVICE}) to its lines
     * @return {@code jar}
     */
    public static Path build(Path work, Path jar, Map<String, String> sources, Map<String, List<String>> serviceFiles)
            throws IOException {
        Path src = Files.createTempDirectory(work, "src-");
        Path classes = Files.createTempDirectory(work, "classes-");
        List<String> args = new ArrayList<>(List.of("--release", "17", "-proc:none", "-classpath", classPath(),
                "-d", classes.toString()));
        for (Map.Entry<String, String> e : sources.entrySet()) {
            Path file = src.resolve(e.getKey().replace('.', '/') + ".java");
            Files.createDirectories(file.getParent());
            Files.writeString(file, e.getValue(), StandardCharsets.UTF_8);
            args.add(file.toString());
        }
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        if (javac == null) {
            throw new IllegalStateException("no system Java compiler: run the tests on a JDK");
        }
        ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
        int rc = javac.run(null, diagnostics, diagnostics, args.toArray(String[]::new));
        if (rc != 0) {
            throw new IllegalStateException("javac failed (" + rc + "):\n" + diagnostics.toString(StandardCharsets.UTF_8));
        }
        Files.createDirectories(jar.getParent());
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.IMPLEMENTATION_VERSION, "9.9.9-test");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), manifest);
                Stream<Path> walk = Files.walk(classes)) {
            for (Path p : walk.filter(Files::isRegularFile).sorted().toList()) {
                out.putNextEntry(new JarEntry(classes.relativize(p).toString().replace(File.separatorChar, '/')));
                Files.copy(p, out);
                out.closeEntry();
            }
            for (Map.Entry<String, List<String>> e : serviceFiles.entrySet()) {
                out.putNextEntry(new JarEntry(e.getKey()));
                write(out, String.join("\n", e.getValue()) + "\n");
                out.closeEntry();
            }
        }
        return jar;
    }

    private static void write(OutputStream out, String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The test class path, plus the code sources of {@code mlx-api} and DJL's API in case the
     * test runner hides the real class path behind a manifest-only JAR.
     */
    static String classPath() {
        Set<String> entries = new LinkedHashSet<>();
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (!e.isBlank()) {
                entries.add(e);
            }
        }
        entries.add(locationOf(RegularizerProvider.class));
        entries.add(locationOf(ai.djl.ndarray.NDArray.class));
        return String.join(File.pathSeparator, entries);
    }

    private static String locationOf(Class<?> type) {
        try {
            return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
