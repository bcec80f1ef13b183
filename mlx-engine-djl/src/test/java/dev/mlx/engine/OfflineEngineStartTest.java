package dev.mlx.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mlx.engine.testkit.ChildJvm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine starts with an empty DJL cache and no network: the PyTorch natives come from the
 * {@code pytorch-native-cpu} Maven artifact. The child JVM runs in an empty network namespace
 * ({@code unshare -n}) where that is possible (root, as on CI), so any download attempt would fail.
 */
class OfflineEngineStartTest {
    @TempDir
    Path cache;

    @Test
    @EnabledOnOs(OS.LINUX)
    void startsFromAnEmptyCacheWithoutNetwork() throws Exception {
        boolean isolated = ChildJvm.canUnshareNetwork();
        List<String> prefix = isolated ? List.of("unshare", "-n") : List.of();
        ChildJvm.Result r = ChildJvm.run(prefix, List.of("-Dai.djl.pytorch.num_threads=1", "-Xmx512m",
                "-DDJL_CACHE_DIR=" + cache, "-DENGINE_CACHE_DIR=" + cache),
                Map.of("OPT_OUT_TRACKING", "true", "OMP_WAIT_POLICY", "PASSIVE"), EngineProbe.class);
        assertEquals(0, r.exitCode(), r.output());
        // [[1,2],[3,4]]^2 = [[7,10],[15,22]], sum 54
        assertTrue(r.output().contains("RESULT 54.0"), r.output());
        try (Stream<Path> files = Files.walk(cache)) {
            assertTrue(files.anyMatch(p -> p.getFileName().toString().startsWith("libtorch_cpu")),
                    "the natives must have been extracted from the Maven artifact into the empty cache");
        }
        System.out.println("offline engine start verified " + (isolated ? "in an empty network namespace" : "(no unshare here)"));
    }
}
