package dev.mlx.app.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real {@code onnxruntime_gpu} artifact on a machine without a GPU (the {@code cuda} build that
 * {@code run-tests} also runs, with {@code MLX_TEST_CUDA_ARTIFACT=required}): ONNX Runtime lists the
 * CUDA provider, adding it fails, and serving falls back to the CPU with the reason. In the default
 * (CPU) build the provider is not listed and this test is skipped, saying so.
 */
class CudaArtifactFallbackTest {
    @TempDir
    Path tmp;

    @Test
    void theGpuArtifactListsCudaAndServingFallsBackToTheCpuWithTheReason() throws OrtException {
        boolean listed = OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA);
        if ("required".equals(System.getenv("MLX_TEST_CUDA_ARTIFACT"))) {
            assertTrue(listed, "the cuda build must carry onnxruntime_gpu, whose providers include CUDA: "
                    + OrtEnvironment.getAvailableProviders());
        }
        Assumptions.assumeTrue(listed, "the default build carries the CPU onnxruntime artifact (build with -Pcuda)");
        Assumptions.assumeFalse(java.nio.file.Files.exists(Path.of("/dev/nvidia0")), "this machine has a GPU");
        SessionFactory.Opened opened = SessionFactory.system().open(TinyOnnxModels.pickFeature(tmp.resolve("m.onnx")),
                1);
        try {
            assertEquals(ExecutionProvider.CPU, opened.provider().name());
            assertTrue(opened.provider().reason().startsWith("the CUDA provider is on the class path but unusable ("),
                    opened.provider()::toString);
        } finally {
            opened.session().close();
        }
    }
}
