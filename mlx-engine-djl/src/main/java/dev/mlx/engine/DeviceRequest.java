package dev.mlx.engine;

import ai.djl.Device;
import dev.mlx.api.error.ErrorKind;
import dev.mlx.api.error.MlxException;
import java.util.Locale;

/**
 * The device a user asked for ({@code --device}, {@code MLX_DEVICE}): {@code auto}, {@code cpu},
 * {@code cuda} (the first GPU) or {@code cuda:N}. {@link #resolve} turns it into a DJL
 * {@link Device} once, when the engine starts; everything below takes the device from the
 * {@link ai.djl.ndarray.NDManager} it is given (as Lightning's {@code accelerator="auto"} is resolved
 * in one place).
 *
 * @param text the request as given, normalised ({@code auto}, {@code cpu}, {@code cuda:0}, ...)
 * @param gpuIndex the GPU asked for, or -1 for {@code auto} and {@code cpu}
 */
public record DeviceRequest(String text, int gpuIndex) {
    /** The default: the first CUDA device when the engine has one, else the CPU. */
    public static final DeviceRequest AUTO = new DeviceRequest("auto", -1);
    /** The CPU. */
    public static final DeviceRequest CPU = new DeviceRequest("cpu", -1);

    /**
     * @param value {@code auto}, {@code cpu}, {@code cuda}, {@code cuda:N} (also {@code gpu}, {@code gpu:N})
     * @return the request
     * @throws MlxException (user error) for anything else
     */
    public static DeviceRequest parse(String value) {
        String v = value == null ? "auto" : value.strip().toLowerCase(Locale.ROOT);
        switch (v) {
            case "", "auto":
                return AUTO;
            case "cpu":
                return CPU;
            case "cuda", "gpu":
                return new DeviceRequest("cuda:0", 0);
            default:
                break;
        }
        if (v.matches("(cuda|gpu):\\d{1,3}")) {
            int n = Integer.parseInt(v.substring(v.indexOf(':') + 1));
            return new DeviceRequest("cuda:" + n, n);
        }
        throw MlxException.userError("--device " + value + " is not a device; use auto, cpu, cuda or cuda:N "
                + "(N = 0 for the first GPU)");
    }

    /** @return true for {@code cuda} and {@code cuda:N} */
    public boolean wantsGpu() {
        return gpuIndex >= 0;
    }

    /**
     * @param gpuCount the CUDA devices the loaded PyTorch natives report
     * @param natives what was loaded, for the message when a GPU was asked for and none is usable
     *     (e.g. {@code "the cpu build of libtorch 2.7.1 from /root/.djl.ai/pytorch/..."}); asked only then
     * @return the device to run on
     * @throws MlxException (resources) when a GPU was asked for that the engine does not have
     */
    public Device resolve(int gpuCount, java.util.function.Supplier<String> natives) {
        if (gpuIndex < 0) {
            return this == CPU || gpuCount == 0 ? Device.cpu() : Device.gpu(0);
        }
        if (gpuIndex >= gpuCount) {
            throw new MlxException(ErrorKind.RESOURCES, "--device " + text + ": no usable CUDA GPU (found " + gpuCount
                    + " GPU" + (gpuCount == 1 ? "" : "s") + " with " + natives.get() + "). Fix: build with the cuda profile "
                    + "(MLX_MAVEN_PROFILES=cuda ./mlx ..., or mvn -Pcuda package) on a machine with an NVIDIA driver, "
                    + "or point PYTORCH_LIBRARY_PATH, PYTORCH_VERSION=2.7.1 and PYTORCH_FLAVOR=cu128 at an installed "
                    + "CUDA libtorch (docs/gpu.md); or run with --device cpu");
        }
        return Device.gpu(gpuIndex);
    }
}
