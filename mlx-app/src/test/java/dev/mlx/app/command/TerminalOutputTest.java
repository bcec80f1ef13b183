package dev.mlx.app.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a plain {@code mlx train} prints, seen from outside as a user (or CI) sees it: a child JVM
 * whose standard error is a pipe. By default a one-line header, the epoch lines and the result, no
 * log lines; {@code -v} adds the INFO log; {@code -q} leaves only the result. The full log is in
 * the run folder's {@code mlx.log} either way.
 */
class TerminalOutputTest {
    @TempDir
    Path tmp;

    private record Output(int exit, String out, String err) {}

    private Output train(Path run, String... flags) throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        // the app's own logging set-up, as ./mlx has it (the test class path also holds the engine's logback-test.xml)
        String logback = Path.of(TerminalOutputTest.class.getResource("/logback.xml").toURI()).toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx1g", "-Dai.djl.offline=true",
                "-Dlogback.configurationFile=" + logback, "-cp",
                System.getProperty("java.class.path"), "dev.mlx.app.testing.TinyMain"));
        cmd.addAll(List.of(flags));
        cmd.addAll(List.of("train", "--dataset", "tiny-decoy", "--dataset-param", "train-size=100", "--dataset-param",
                "test-size=40", "--dataset-param", "validation-size=20", "--epochs", "2", "-o", run.toString(),
                "--plugins-dir", tmp.resolve("none").toString(), "--cache-dir", tmp.resolve("cache").toString()));
        Process p = new ProcessBuilder(cmd).redirectError(tmp.resolve("err.txt").toFile())
                .redirectOutput(tmp.resolve("out.txt").toFile()).start();
        int exit = p.waitFor();
        return new Output(exit, Files.readString(tmp.resolve("out.txt"), StandardCharsets.UTF_8),
                Files.readString(tmp.resolve("err.txt"), StandardCharsets.UTF_8));
    }

    private static List<String> logLines(String text) {
        return text.lines().filter(l -> l.matches("\\d\\d:\\d\\d:\\d\\d (TRACE|DEBUG|INFO |WARN |ERROR).*")).toList();
    }

    @Test
    void aPlainTrainPrintsAHeaderEpochLinesAndTheResultAndNoLogLines() throws Exception {
        Path run = tmp.resolve("plain");
        Output o = train(run);
        assertEquals(0, o.exit(), o.err());
        List<String> err = o.err().lines().toList();
        assertEquals(List.of(), logLines(o.err()), "no log lines on the terminal by default:\n" + o.err());
        assertEquals("mlx train: erm on tiny-decoy (100 train / 20 validation / 40 test, 1x8x8), model mlp on cpu, 2 "
                + "epochs x 1 step of 256", err.get(0), o.err());
        assertEquals(2, err.stream().filter(l -> l.matches("\\S+\\s+epoch  [12]/2  loss .*")).count(), o.err());
        assertTrue(o.out().contains("Avg Acc") && o.out().contains("run folder: " + run), o.out());
        String log = Files.readString(run.resolve("mlx.log"));
        assertTrue(log.contains("INFO") && log.contains("RunExecutor - training") && log.contains("plugins: "),
                "the full log is in mlx.log:\n" + log);
    }

    @Test
    void verboseShowsTheLogAndQuietOnlyTheResult() throws Exception {
        Output verbose = train(tmp.resolve("verbose"), "-v");
        assertEquals(0, verbose.exit(), verbose.err());
        assertTrue(logLines(verbose.err()).stream().anyMatch(l -> l.contains("RunExecutor - training")), verbose.err());

        Output quiet = train(tmp.resolve("quiet"), "-q");
        assertEquals(0, quiet.exit(), quiet.err());
        assertEquals("", quiet.err().strip(), "nothing on standard error with -q");
        assertTrue(quiet.out().contains("Avg Acc"), quiet.out());
        assertTrue(Files.isRegularFile(tmp.resolve("quiet").resolve("mlx.log")));
    }
}
