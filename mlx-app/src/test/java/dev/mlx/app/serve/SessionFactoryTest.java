package dev.mlx.app.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import dev.mlx.api.error.ErrorKind;
import dev.mlx.api.error.MlxException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The execution provider is chosen at run time: CUDA only when offered and usable, else CPU with the reason. */
class SessionFactoryTest {
    @TempDir
    Path tmp;

    @Test
    void withoutTheGpuArtifactTheCpuProviderIsUsed() throws OrtException {
        AtomicInteger cudaCalls = new AtomicInteger();
        SessionFactory factory = new SessionFactory(Set.of(OrtProvider.CPU), o -> cudaCalls.incrementAndGet());
        SessionFactory.Opened opened = factory.open(TinyOnnxModels.pickFeature(tmp.resolve("m.onnx")), 1);
        try {
            assertEquals(ExecutionProvider.CPU, opened.provider().name());
            assertTrue(opened.provider().reason().contains("onnxruntime_gpu artifact is not on the class path"),
                    opened.provider()::toString);
            assertEquals(0, cudaCalls.get(), "CUDA is not tried when ONNX Runtime does not offer it");
        } finally {
            opened.session().close();
        }
    }

    @Test
    void aCudaProviderThatFailsFallsBackToTheCpu() throws OrtException {
        SessionFactory factory = new SessionFactory(Set.of(OrtProvider.CPU, OrtProvider.CUDA), o -> {
            throw new OrtException("CUDA failure 100: no CUDA-capable device is detected");
        });
        SessionFactory.Opened opened = factory.open(TinyOnnxModels.pickFeature(tmp.resolve("m.onnx")), 1);
        try {
            assertEquals(ExecutionProvider.CPU, opened.provider().name());
            assertTrue(opened.provider().reason().contains("no CUDA-capable device"), opened.provider()::toString);
        } finally {
            opened.session().close();
        }
    }

    @Test
    void theSystemFactoryOnThisMachineRunsOnTheCpu() throws OrtException {
        // the build ships the CPU artifact (com.microsoft.onnxruntime:onnxruntime), which offers no CUDA provider
        SessionFactory.Opened opened = SessionFactory.system().open(TinyOnnxModels.pickFeature(tmp.resolve("m.onnx")), 1);
        try {
            assertEquals(ExecutionProvider.CPU, opened.provider().name());
        } finally {
            opened.session().close();
        }
    }

    @Test
    void missingAndMalformedFilesAreUserErrors() throws IOException {
        SessionFactory factory = SessionFactory.system();
        MlxException missing = assertThrows(MlxException.class, () -> factory.open(tmp.resolve("none.onnx"), 0));
        assertEquals(ErrorKind.USER, missing.kind());
        assertTrue(missing.getMessage().contains("does not exist"), missing.getMessage());

        Path garbage = Files.write(tmp.resolve("garbage.onnx"), new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9});
        MlxException malformed = assertThrows(MlxException.class, () -> factory.open(garbage, 0));
        assertEquals(ErrorKind.USER, malformed.kind());
        assertTrue(malformed.getMessage().contains("is not an ONNX model ONNX Runtime can load"),
                malformed.getMessage());

        MlxException threads = assertThrows(MlxException.class,
                () -> factory.open(TinyOnnxModels.pickFeature(tmp.resolve("m.onnx")), -1));
        assertTrue(threads.getMessage().contains("--threads must be >= 0"), threads.getMessage());
    }
}
