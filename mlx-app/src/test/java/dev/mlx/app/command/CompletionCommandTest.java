package dev.mlx.app.command;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.mlx.app.testing.CliRun;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code mlx completion} prints a bash script that completes commands and their options, checked in bash. */
class CompletionCommandTest {
    @TempDir
    Path tmp;

    private List<String> complete(Path script, String... words) throws Exception {
        String line = String.join(" ", words);
        String bash = "source '" + script + "' 2>/dev/null; COMP_WORDS=(" + line + "); COMP_CWORD=" + (words.length - 1)
                + "; COMP_LINE='" + line + "'; COMP_POINT=" + line.length() + "; _complete_mlx 2>/dev/null;"
                + " printf '%s\\n' \"${COMPREPLY[@]}\"";
        Process p = new ProcessBuilder("bash", "-c", bash).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        return Arrays.stream(out.split("\n")).map(String::strip).filter(s -> !s.isEmpty()).sorted().toList();
    }

    @Test
    void theScriptCompletesCommandsAndOptions() throws Exception {
        CliRun run = CliRun.of("--plugins-dir", tmp.resolve("none").toString(), "completion");
        assertEquals(0, run.exitCode(), run::toString);
        Path script = tmp.resolve("mlx-completion.bash");
        Files.writeString(script, run.out());

        assertEquals(List.of("train"), complete(script, "mlx", "tr"), "the hidden trial command is not offered");
        assertEquals(List.of("--epochs"), complete(script, "mlx", "train", "--ep"));
        assertEquals(List.of("--resume"), complete(script, "mlx", "train", "--res"));
    }
}
