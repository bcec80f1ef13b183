package dev.mlx.app.serve;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import dev.mlx.api.error.MlxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens ONNX Runtime sessions on the best execution provider available at run time:
 *
 * <ol>
 *   <li>CUDA (device 0) when ONNX Runtime reports the CUDA provider, which only the
 *       {@code com.microsoft.onnxruntime:onnxruntime_gpu} artifact (in place of
 *       {@code onnxruntime} on the class path) does, and both adding it to the session options
 *       and creating the session with it succeed (both fail without a GPU and its driver);</li>
 *   <li>otherwise the CPU provider.</li>
 * </ol>
 *
 * Every fallback is logged with its cause, and the chosen provider is logged and returned with the
 * session. Tests replace the provider list and the CUDA hook to exercise each path.
 */
public final class SessionFactory {
    private static final Logger LOG = LoggerFactory.getLogger(SessionFactory.class);

    /** Adds the CUDA provider to session options (the real one calls {@code addCUDA(0)}). */
    @FunctionalInterface
    interface CudaHook {
        void addCuda(OrtSession.SessionOptions options) throws OrtException;
    }

    /**
     * A session and the provider it runs on.
     *
     * @param session the session (close it)
     * @param provider the provider
     */
    public record Opened(OrtSession session, ExecutionProvider provider) {}

    private final Set<OrtProvider> available;
    private final CudaHook cuda;

    SessionFactory(Set<OrtProvider> available, CudaHook cuda) {
        this.available = Set.copyOf(available);
        this.cuda = cuda;
    }

    /** @return a factory for the ONNX Runtime on the class path */
    public static SessionFactory system() {
        return new SessionFactory(OrtEnvironment.getAvailableProviders(), options -> options.addCUDA(0));
    }

    /**
     * @param model the ONNX file
     * @param threads intra-op threads of the CPU provider, or 0 for ONNX Runtime's default (one per core)
     * @return the session on the chosen provider
     * @throws MlxException (user error) if the file is missing or not a model ONNX Runtime can load
     */
    public Opened open(Path model, int threads) {
        if (!Files.isRegularFile(model)) {
            throw MlxException.userError("ONNX model " + model + " does not exist; write one with `mlx export <run>`");
        }
        if (threads < 0) {
            throw MlxException.userError("--threads must be >= 0 (0: one per core), got " + threads);
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        String cpuReason;
        if (!available.contains(OrtProvider.CUDA)) {
            cpuReason = "ONNX Runtime offers no CUDA provider: the onnxruntime_gpu artifact is not on the class path";
        } else {
            try (OrtSession.SessionOptions options = options(threads)) {
                cuda.addCuda(options);
                OrtSession session = env.createSession(model.toString(), options);
                ExecutionProvider provider = new ExecutionProvider(ExecutionProvider.CUDA, "GPU device 0");
                LOG.info("ONNX Runtime execution provider: {}", provider);
                return new Opened(session, provider);
            } catch (OrtException e) {
                cpuReason = "the CUDA provider is on the class path but unusable (" + e.getMessage()
                        + "); no GPU or no CUDA driver";
                LOG.warn("ONNX Runtime: falling back to the CPU: {}", cpuReason);
            }
        }
        try (OrtSession.SessionOptions options = options(threads)) {
            OrtSession session = env.createSession(model.toString(), options);
            ExecutionProvider provider = new ExecutionProvider(ExecutionProvider.CPU, cpuReason);
            LOG.info("ONNX Runtime execution provider: {}", provider);
            return new Opened(session, provider);
        } catch (OrtException e) {
            throw MlxException.userError(model + " is not an ONNX model ONNX Runtime can load: " + e.getMessage()
                    + "; write it with `mlx export <run>`", e);
        }
    }

    private static OrtSession.SessionOptions options(int threads) throws OrtException {
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        try {
            if (threads > 0) {
                options.setIntraOpNumThreads(threads);
                options.setInterOpNumThreads(1);
            }
            return options;
        } catch (OrtException e) {
            options.close();
            throw e;
        }
    }
}
