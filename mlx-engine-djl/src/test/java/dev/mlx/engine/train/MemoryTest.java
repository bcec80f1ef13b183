package dev.mlx.engine.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mlx.engine.testkit.ChildJvm;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A 50-epoch run (600 steps) with double backprop (RRR) or interval bounds (Cert-R4) does not
 * grow in native memory. Measured in a child JVM whose Java heap is fixed and pre-touched
 * ({@code -Xms = -Xmx}, {@code AlwaysPreTouch}), so any growth of the resident set is native. The
 * allocator warms up over the first epochs; from epoch 20 to 50 the resident set must stay flat,
 * and no NDArray may be left on any manager.
 */
class MemoryTest {
    @ParameterizedTest
    @ValueSource(strings = {"rrr", "cert-r4"})
    @EnabledOnOs(OS.LINUX)
    void fiftyEpochsDoNotGrowResidentMemory(String method) throws Exception {
        Map<String, String> env = new HashMap<>(Map.of("OMP_WAIT_POLICY", "PASSIVE"));
        ChildJvm.Result r = ChildJvm.run(List.of(), List.of("-Xms384m", "-Xmx384m", "-XX:+AlwaysPreTouch",
                "-Dai.djl.offline=true", "-Dai.djl.pytorch.num_threads=1", "-Dai.djl.pytorch.num_interop_threads=1",
                "-DDJL_CACHE_DIR=" + System.getProperty("DJL_CACHE_DIR", ""),
                "-DENGINE_CACHE_DIR=" + System.getProperty("ENGINE_CACHE_DIR", "")), env, MemoryProbe.class, method);
        assertEquals(0, r.exitCode(), r.output());
        long[] rss = new long[51];
        String[] arrays = null;
        for (String line : r.output().split("\n")) {
            String[] w = line.trim().split(" ");
            if (w[0].equals("RSS")) {
                rss[Integer.parseInt(w[1])] = Long.parseLong(w[2]);
            } else if (w[0].equals("ARRAYS")) {
                arrays = w;
            }
        }
        assertTrue(arrays != null, r.output());
        assertEquals(arrays[1], arrays[2], "NDArrays left on the root manager after training");
        long growthKb = rss[50] - rss[20];
        assertTrue(growthKb < 24 * 1024, method + ": resident memory grew by " + growthKb / 1024
                + " MB from epoch 20 to 50: " + java.util.Arrays.toString(rss));
    }
}
