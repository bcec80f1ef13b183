package dev.mlx.app.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mlx.app.testing.CliRun;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code mlx info} on this CPU-only machine: the versions, natives, devices and providers it reports. */
class InfoCommandTest {
    @TempDir
    Path tmp;

    @Test
    void reportsVersionsNativesDevicesAndProviders() {
        CliRun run = CliRun.of("--plugins-dir", tmp.toString(), "info");
        assertEquals(0, run.exitCode(), run::toString);
        List<String> lines = run.out().lines().toList();
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("java:") && l.contains(System.getProperty("java.version"))),
                run::toString);
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("DJL:") && l.contains("0.35.1")), run::toString);
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("PyTorch:") && l.contains("2.7.1")
                && l.contains("flavour cpu") && l.contains("2.7.1-") && l.contains("-cpu-")), run::toString);
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("torch threads:") && l.contains("intra-op 1")),
                run::toString);
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("CUDA devices:   0")), run::toString);
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("oneDNN convs:   forward passes and first-order gradients")), run::toString);
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("ONNX Runtime:") && l.contains("1.23.2")
                && l.contains("CPU")), run::toString);
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("plugins folder: " + tmp.toAbsolutePath())), run::toString);
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("heap:           max ")), run::toString);
    }

    @Test
    void theNativeFlavourIsReadFromDjlsFolderName() {
        assertEquals("cpu", dev.mlx.engine.NativeLibraries.flavorOf("2.7.1-20250812-cpu-linux-x86_64"));
        assertEquals("cu128", dev.mlx.engine.NativeLibraries.flavorOf("2.7.1-20250812-cu128-linux-x86_64"));
    }
}
