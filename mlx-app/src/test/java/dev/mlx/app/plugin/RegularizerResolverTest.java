package dev.mlx.app.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.inject.Guice;
import dev.mlx.api.error.ErrorKind;
import dev.mlx.api.error.MlxException;
import dev.mlx.api.param.HyperParameters;
import dev.mlx.api.train.Regularizer;
import dev.mlx.api.train.RegularizerProvider;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which regularizer plugin runs for a requested name and a model ({@link RegularizerResolver}). */
class RegularizerResolverTest {
    private static PluginCatalog catalog(PluginRegistry registry) {
        return Guice.createInjector(new PluginModule(registry)).getInstance(PluginCatalog.class);
    }

    private static final PluginCatalog BUILT_INS =
            catalog(PluginRegistry.builder().discover(RegularizerResolverTest.class.getClassLoader()).build());

    @Test
    void anImageModelKeepsTheNameAndATokenModelGetsTheCounterpart() {
        assertEquals("adv-r4", BUILT_INS.regularizerFor("adv-r4", "mlp"));
        for (String model : new String[] {"bert-tiny", "minilm"}) {
            assertEquals("token-adv-r4", BUILT_INS.regularizerFor("adv-r4", model));
            assertEquals("token-rrr", BUILT_INS.regularizerFor("rrr", model));
            assertEquals("token-smooth-rrr", BUILT_INS.regularizerFor("smooth-rrr", model));
            assertEquals("token-rand-r4", BUILT_INS.regularizerFor("rand-r4", model));
            assertEquals("erm", BUILT_INS.regularizerFor("erm", model), "ERM runs on any model");
            assertEquals("token-adv-r4", BUILT_INS.regularizerFor("token-adv-r4", model), "resolution is idempotent");
        }
        assertEquals(Map.of("adv-r4", "token-adv-r4", "rand-r4", "token-rand-r4", "rrr", "token-rrr",
                "smooth-rrr", "token-smooth-rrr"), new RegularizerResolver(BUILT_INS).tokenModelNames());
    }

    @Test
    void aMethodWithoutATokenCounterpartIsAClearErrorOnATokenModel() {
        MlxException e = assertThrows(MlxException.class, () -> BUILT_INS.regularizerFor("corm", "bert-tiny"));
        assertEquals(ErrorKind.USER, e.kind());
        assertTrue(e.getMessage().contains("'corm'") && e.getMessage().contains("no token-model counterpart")
                && e.getMessage().contains("adv-r4 (runs token-adv-r4)") && e.getMessage().contains("erm"),
                e.getMessage());
        assertTrue(!e.getMessage().contains("\n"), "one line");
    }

    @Test
    void aTokenRegularizerOnAnImageModelNamesTheOneToUse() {
        MlxException e = assertThrows(MlxException.class, () -> BUILT_INS.regularizerFor("token-adv-r4", "mlp"));
        assertEquals(ErrorKind.USER, e.kind());
        assertTrue(e.getMessage().contains("use 'adv-r4'") && e.getMessage().contains("bert-tiny"), e.getMessage());
    }

    @Test
    void unknownNamesStillGetTheListOfKnownOnes() {
        for (String model : new String[] {"mlp", "bert-tiny"}) {
            MlxException e = assertThrows(MlxException.class, () -> BUILT_INS.regularizerFor("adv-r5", model));
            assertTrue(e.getMessage().startsWith("unknown regularizer 'adv-r5'; known regularizers: ")
                    && e.getMessage().contains("token-adv-r4") && e.getMessage().contains("cert-r4"), e.getMessage());
        }
        assertThrows(MlxException.class, () -> BUILT_INS.regularizerFor("adv-r4", "no-such-model"));
    }

    @Test
    void twoPluginsClaimingOneNameAreNamedBoth() {
        PluginRegistry registry = PluginRegistry.builder().discover(getClass().getClassLoader())
                .add(PluginKind.REGULARIZER, new SecondTokenAdvR4(), "second.jar").build();
        MlxException e = assertThrows(MlxException.class, () -> catalog(registry).regularizerFor("adv-r4", "minilm"));
        assertTrue(e.getMessage().contains("token-adv-r4") && e.getMessage().contains("my-adv-r4")
                && e.getMessage().contains("second.jar"), e.getMessage());
    }

    /** A third-party token regularizer that also claims {@code adv-r4}. */
    private static final class SecondTokenAdvR4 implements RegularizerProvider {
        @Override
        public String name() {
            return "my-adv-r4";
        }

        @Override
        public String description() {
            return "test";
        }

        @Override
        public boolean forTokenModels() {
            return true;
        }

        @Override
        public Optional<String> tokenModelCounterpartOf() {
            return Optional.of("adv-r4");
        }

        @Override
        public Regularizer create(HyperParameters params) {
            return (model, batch, context) -> context.manager().create(0f);
        }
    }
}
