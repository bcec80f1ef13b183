package dev.mlx.engine;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import dev.mlx.api.error.ErrorKind;
import dev.mlx.api.error.MlxException;
import dev.mlx.engine.autograd.OneDnnSwitch;
import dev.mlx.engine.autograd.TorchScriptGradHelper;
import dev.mlx.engine.nn.NetworkFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running PyTorch engine: one root {@link NDManager}, the autograd helper and the factory
 * for networks. Start one per process with {@link #start()} and close it at the end.
 *
 * <p>The device is chosen once, at start ({@link DeviceRequest}); code below never names one.
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
    private final DeviceRequest request;

    private MlxEngine(Engine engine, NDManager root, TorchScriptGradHelper gradHelper, DeviceRequest request) {
        this.engine = engine;
        this.request = request;
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
     * Starts the PyTorch engine on the CPU, or on the first GPU when it has one.
     *
     * @return the engine
     */
    public static MlxEngine start() {
        return start(DeviceRequest.AUTO);
    }

    /**
     * Starts the PyTorch engine on the requested device: the one place a device is chosen. The
     * root manager lives on it, so everything created under it (parameters, batches, masks,
     * bounds, noise, TorchScript helpers) does too.
     *
     * @param request the device asked for
     * @return the engine
     * @throws MlxException (resources) when a GPU is asked for and the engine has none
     */
    public static MlxEngine start(DeviceRequest request) {
        configureOffline();
        long t0 = System.nanoTime();
        Engine engine;
        try {
            engine = Engine.getEngine(ENGINE_NAME);
        } catch (RuntimeException | LinkageError e) {
            boolean cpuJar = MlxEngine.class.getClassLoader().getResource("native/lib/pytorch.properties") != null;
            throw new MlxException(ErrorKind.RESOURCES, "the PyTorch engine did not start: " + e.getMessage() + ". "
                    + (cpuJar ? "Its natives come from the Maven artifact ai.djl.pytorch:pytorch-native-cpu "
                            + "(linux-x86_64); check DJL_CACHE_DIR is writable."
                            : "This build has no libtorch natives jar (the cuda build): DJL downloads the cu128 "
                            + "natives on first start, which needs the network, or set PYTORCH_LIBRARY_PATH, "
                            + "PYTORCH_VERSION=2.7.1 and PYTORCH_FLAVOR=cu128 to an installed CUDA libtorch "
                            + "(docs/gpu.md); or use the default CPU build."), e);
        }
        OneDnnSwitch.configure(OneDnnSwitch.Mode.parse(System.getProperty("mlx.onednn", "first-order")));
        int gpus = engine.getGpuCount();
        Device device = request.resolve(gpus, () -> "the " + NativeLibraries.torchFlavor() + " build of libtorch "
                + engine.getVersion() + " from " + NativeLibraries.torchFolder());
        NDManager root = engine.newBaseManager(device);
        try {
            TorchScriptGradHelper helper = TorchScriptGradHelper.load(root);
            LOG.info("PyTorch engine {} started in {} ms on {} (--device {}{}; offline={})", engine.getVersion(),
                    (System.nanoTime() - t0) / 1_000_000, deviceName(device), request.text(),
                    request == DeviceRequest.AUTO ? (gpus == 0 ? ": no CUDA device, so the CPU" : ": the first GPU")
                            : "", System.getProperty("ai.djl.offline"));
            return new MlxEngine(engine, root, helper, request);
        } catch (RuntimeException e) {
            root.close();
            throw e;
        }
    }

    /** @return the device everything runs on: {@code cpu} or {@code cuda:N} */
    public String device() {
        return deviceName(root.getDevice());
    }

    /** @return the device the user asked for */
    public DeviceRequest deviceRequest() {
        return request;
    }

    private static String deviceName(Device d) {
        return d.isGpu() ? "cuda:" + d.getDeviceId() : "cpu";
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
     * @return where libtorch's oneDNN convolutions run in this process: forward passes and first-order
     *     gradients ({@code first-order}, the default), or nowhere ({@code off}); see {@link OneDnnSwitch}
     */
    public OneDnnSwitch.Mode oneDnnConvolutions() {
        return OneDnnSwitch.mode();
    }

    @Override
    public void close() {
        gradHelper.close();
        root.close();
    }
}
