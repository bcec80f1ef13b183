package dev.mlx.app.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.EngineException;
import dev.mlx.api.error.ErrorKind;
import dev.mlx.api.error.MlxException;
import org.junit.jupiter.api.Test;

/** libtorch's out-of-memory failures become one resources error with the fix. */
class DeviceMemoryErrorsTest {
    @Test
    void gpuOutOfMemoryIsAResourceErrorSuggestingSmallerBatchesOrFragments() {
        RuntimeException torch = new RuntimeException("training failed", new EngineException(
                "CUDA out of memory. Tried to allocate 2.00 GiB (GPU 0; 7.79 GiB total capacity)\\nException raised "
                        + "from malloc at c10/cuda/CUDACachingAllocator.cpp"));
        MlxException e = DeviceMemoryErrors.translate(torch).orElseThrow();
        assertEquals(ErrorKind.RESOURCES, e.kind());
        assertEquals(3, e.kind().exitCode());
        assertTrue(e.getMessage().startsWith("the GPU ran out of memory (CUDA out of memory. Tried to allocate 2.00 GiB"),
                e.getMessage());
        assertTrue(e.getMessage().contains("--batch-size") && e.getMessage().contains("--fragments"), e.getMessage());
    }

    @Test
    void cpuAllocatorFailureToo() {
        MlxException e = DeviceMemoryErrors.translate(new EngineException(
                "[enforce fail at alloc_cpu.cpp:117] DefaultCPUAllocator: can't allocate memory: you tried to allocate "
                        + "1000000000000 bytes")).orElseThrow();
        assertEquals(ErrorKind.RESOURCES, e.kind());
        assertTrue(e.getMessage().contains("--fragments"), e.getMessage());
    }

    @Test
    void otherFailuresAreLeftAlone() {
        assertTrue(DeviceMemoryErrors.translate(new IllegalStateException("something else")).isEmpty());
    }
}
