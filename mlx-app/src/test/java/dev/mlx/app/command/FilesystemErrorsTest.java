package dev.mlx.app.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mlx.app.plugin.PluginKind;
import dev.mlx.app.plugin.PluginRegistry;
import dev.mlx.app.testing.CliRun;
import dev.mlx.app.testing.TinyDecoyProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run folder on a read-only or a full filesystem: {@code mlx train} ends with exit 3 and one line
 * naming the path, and leaves nothing behind (no half-written run, no staging folder). Real
 * filesystems: a read-only and a 48 KiB tmpfs, mounted by the test (it needs root and mount(8); where
 * the machine refuses, the test is skipped saying so).
 */
class FilesystemErrorsTest {
    private static final Consumer<PluginRegistry.Builder> TINY =
            b -> b.add(PluginKind.DATASET, new TinyDecoyProvider(), "test");

    @TempDir
    Path tmp;

    private Path mounted;

    @AfterEach
    void unmount() throws Exception {
        if (mounted != null) {
            run("umount", mounted.toString());
        }
    }

    private Path tmpfs(String name, String options) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve(name));
        int code = run("mount", "-t", "tmpfs", "-o", options, "mlx-test", dir.toString());
        Assumptions.assumeTrue(code == 0, "cannot mount a tmpfs here (mount exit " + code + "); needs root");
        mounted = dir;
        return dir;
    }

    private static int run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor();
    }

    private CliRun train(Path out) {
        return CliRun.of(TINY, "train", "--plugins-dir", tmp.resolve("none").toString(), "--dataset", "tiny-decoy",
                "--regularizer", "rrr", "--epochs", "1", "--batch-size", "100", "--model-param", "hidden=8",
                "--cache-dir", tmp.resolve("cache").toString(), "--out", out.toString());
    }

    private static List<Path> contents(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> !p.equals(dir)).toList();
        }
    }

    @Test
    void aReadOnlyFilesystemEndsWithExit3NamingThePath() throws Exception {
        Path ro = tmpfs("ro", "ro,size=1m");
        Path out = ro.resolve("run");

        CliRun r = train(out);

        assertEquals(3, r.exitCode(), r::toString);
        String error = r.singleError();
        assertTrue(error.contains(out.toString()) || error.contains(ro.toString()), error);
        assertTrue(error.toLowerCase(java.util.Locale.ROOT).contains("read-only"), error);
        assertEquals(List.of(), contents(ro));
    }

    @Test
    void aFullFilesystemEndsWithExit3AndLeavesNothingHalfWritten() throws Exception {
        Path small = tmpfs("small", "size=48k");
        Path out = small.resolve("run");

        CliRun r = train(out);

        assertEquals(3, r.exitCode(), r::toString);
        String error = r.singleError();
        assertTrue(error.contains(small.toString()), error);
        assertTrue(error.toLowerCase(java.util.Locale.ROOT).contains("no space"), error);
        assertEquals(List.of(), contents(small), "nothing half-written is left behind");
    }
}
