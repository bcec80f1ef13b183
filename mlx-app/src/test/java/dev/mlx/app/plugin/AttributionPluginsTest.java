package dev.mlx.app.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.inject.Guice;
import dev.mlx.api.attribution.AttributionProvider;
import dev.mlx.api.error.ErrorKind;
import dev.mlx.api.error.MlxException;
import dev.mlx.app.testing.CliRun;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Attribution methods are a plugin kind like the others: discovered through ServiceLoader, bound
 * into the {@link PluginCatalog} by the {@link PluginModule}, looked up by name with the known names
 * in the error, and listed by {@code mlx plugins} with their parameters.
 */
class AttributionPluginsTest {
    private static final List<String> BUILT_INS = List.of("input-gradient", "integrated-gradients", "smoothgrad");

    @Test
    void theCatalogHandsOutTheBuiltInAttributionMethods() {
        PluginRegistry registry = PluginRegistry.builder().discover(getClass().getClassLoader()).build();
        assertEquals(BUILT_INS, List.copyOf(registry.plugins(PluginKind.ATTRIBUTION).keySet()));
        PluginCatalog catalog = Guice.createInjector(new PluginModule(registry)).getInstance(PluginCatalog.class);
        for (String name : BUILT_INS) {
            AttributionProvider provider = catalog.attribution(name);
            assertEquals(name, provider.name());
            assertTrue(provider.differentiable(), name);
            assertInstanceOf(AttributionProvider.class, registry.require(PluginKind.ATTRIBUTION, name).provider());
        }
        MlxException e = assertThrows(MlxException.class, () -> catalog.attribution("lrp"));
        assertEquals(ErrorKind.USER, e.kind());
        assertTrue(e.getMessage().contains("unknown attribution method 'lrp'"), e.getMessage());
        for (String name : BUILT_INS) {
            assertTrue(e.getMessage().contains(name), () -> name + " not listed in: " + e.getMessage());
        }
    }

    @Test
    void directRegistrationRejectsAProviderOfAnotherKind() {
        PluginRegistry.Builder builder = PluginRegistry.builder();
        AttributionProvider ig = PluginRegistry.builder().discover(getClass().getClassLoader()).build()
                .plugins(PluginKind.ATTRIBUTION).values().stream().map(p -> (AttributionProvider) p.provider())
                .filter(p -> p.name().equals("integrated-gradients")).findFirst().orElseThrow();
        assertThrows(IllegalArgumentException.class, () -> builder.add(PluginKind.METRIC, ig, "test"));
        PluginRegistry only = builder.add(PluginKind.ATTRIBUTION, ig, "test").build();
        PluginCatalog catalog = Guice.createInjector(new PluginModule(only)).getInstance(PluginCatalog.class);
        assertEquals(ig, catalog.attribution("integrated-gradients"));
        MlxException e = assertThrows(MlxException.class, () -> catalog.attribution("smoothgrad"));
        assertTrue(e.getMessage().contains("known attribution methods: integrated-gradients"), e.getMessage());
    }

    @Test
    void mlxPluginsListsTheAttributionMethodsWithTheirParameters(@TempDir Path tmp) {
        CliRun run = CliRun.of("--plugins-dir", tmp.resolve("none").toString(), "plugins");
        assertEquals(0, run.exitCode(), run::toString);
        List<String> lines = run.out().lines().toList();
        int heading = lines.indexOf("attribution methods:");
        assertTrue(heading >= 0, run::toString);
        for (String name : BUILT_INS) {
            int at = -1;
            for (int i = heading + 1; i < lines.size() && !lines.get(i).isEmpty(); i++) {
                if (lines.get(i).trim().startsWith(name + " ")) {
                    at = i;
                    break;
                }
            }
            assertTrue(at > heading, () -> name + " not listed under the heading:\n" + run.out());
        }
        String out = run.out();
        assertTrue(out.contains("steps = 50  [int"), out);
        assertTrue(out.contains("samples = 50  [int"), out);
        assertTrue(out.contains("sigma = 0.15  [double"), out);
        assertTrue(out.contains("target = logit  [string (allowed: logit, cross-entropy)]"), out);
        assertTrue(out.contains("times-input = false  [boolean"), out);
    }
}
