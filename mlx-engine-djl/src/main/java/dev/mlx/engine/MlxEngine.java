package dev.mlx.engine;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import dev.mlx.api.error.ErrorKind;
import dev.mlx.api.error.MlxException;
import dev.mlx.engine.autograd.TorchScriptGradHelper;
import dev.mlx.engine.nn.NetworkFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running PyTorch engine: one root {@link NDManager}, the autograd helper and the factory
 * for networks. Start one per process with {@link #start()} and close it at the end.
 *
 * <p>Start-up is offline: the PyTorch natives come from the {@code pytorch-native-cpu} Maven
 * artifact and are extracted into {@code DJL_CACHE_DIR}; {@code ai.djl.offline=true} is set
 * (unless the caller set it) before any DJL class loads, which also stops DJL's telemetry.
 */
public final class MlxEngine implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MlxEngine.class);
    private static final String ENGINE_NAME = "PyTorch";

    private final Engine engine;
    private final NDManager root;
    private final TorchScriptGradHelper gradHelper;
    private final NetworkFactory networks;

    private MlxEngine(Engine engine, NDManager root, TorchScriptGradHelper gradHelper) {
        this.engine = engine;
        this.root = root;
        this.gradHelper = gradHelper;
        this.networks = new NetworkFactory(root, gradHelper);
    }

    /**
     * Sets the DJL system properties mlx relies on, unless already set: offline mode (no
     * downloads, no telemetry). Call before any DJL class is loaded.
     */
    public static void configureOffline() {
        if (System.getProperty("ai.djl.offline") == null) {
            System.setProperty("ai.djl.offline", "true");
        }
    }

    /**
     * Starts the PyTorch engine on the CPU.
     *
     * @return the engine
     */
    public static MlxEngine start() {
        configureOffline();
        long t0 = System.nanoTime();
        Engine engine;
        try {
            engine = Engine.getEngine(ENGINE_NAME);
        } catch (RuntimeException | LinkageError e) {
            throw new MlxException(ErrorKind.RESOURCES, "the PyTorch engine did not start: " + e.getMessage()
                    + ". Its natives come from the Maven artifact ai.djl.pytorch:pytorch-native-cpu (linux-x86_64);"
                    + " check DJL_CACHE_DIR is writable.", e);
        }
        OneDnnSwitch.disableOneDnn();
        NDManager root = engine.newBaseManager(Device.cpu());
        try {
            TorchScriptGradHelper helper = TorchScriptGradHelper.load(root);
            LOG.info("PyTorch engine {} started in {} ms (offline={})", engine.getVersion(),
                    (System.nanoTime() - t0) / 1_000_000, System.getProperty("ai.djl.offline"));
            return new MlxEngine(engine, root, helper);
        } catch (RuntimeException e) {
            root.close();
            throw e;
        }
    }

    /** @return the DJL engine */
    public Engine engine() {
        return engine;
    }

    /** @return the root manager; create sub-managers for anything you allocate */
    public NDManager manager() {
        return root;
    }

    /** @return the factory for networks, whose parameters live under the root manager */
    public NetworkFactory networks() {
        return networks;
    }

    /** @return the autograd helper */
    public TorchScriptGradHelper gradHelper() {
        return gradHelper;
    }

    /**
     * @return whether libtorch's oneDNN convolutions are on in this process (mlx switches them off at start,
     *     see {@link OneDnnSwitch})
     */
    public boolean oneDnnConvolutions() {
        return OneDnnSwitch.oneDnnEnabled();
    }

    @Override
    public void close() {
        gradHelper.close();
        root.close();
    }
}
