package dev.mlx.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The committed CLI reference is what the commands' picocli model generates today. */
class CliReferenceTest {
    @Test
    void docsCliMdIsUpToDate() throws Exception {
        Path committed = Path.of("").toAbsolutePath().getParent().resolve("docs").resolve("cli.md");
        assertTrue(Files.exists(committed), "missing " + committed);
        String generated = CliReference.markdown();
        assertEquals(Files.readString(committed, StandardCharsets.UTF_8), generated,
                "docs/cli.md is stale; regenerate it with: mvn -q -DskipTests package && java -cp"
                        + " \"mlx-app/target/mlx-app.jar:mlx-app/target/lib/*\" dev.mlx.app.CliReference docs/cli.md");
        for (String command : new String[] {"train", "compare", "demo", "bench", "eval", "explain", "export", "predict",
                "ablate", "plugins", "info", "completion"}) {
            assertTrue(generated.contains("\n## mlx " + command + "\n"), command + " missing from the reference");
        }
        assertTrue(generated.contains("--resume=DIR"), "options of the commands are listed");
    }
}
