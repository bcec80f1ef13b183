package dev.mlx.app.serve;

/**
 * The ONNX Runtime execution provider a session runs on, and why it was chosen.
 *
 * @param name {@code CUDA} or {@code CPU}
 * @param reason why: e.g. that the {@code onnxruntime_gpu} artifact is not on the class path
 */
public record ExecutionProvider(String name, String reason) {
    /** The name of the CUDA provider. */
    public static final String CUDA = "CUDA";
    /** The name of the CPU provider. */
    public static final String CPU = "CPU";

    @Override
    public String toString() {
        return name + " (" + reason + ")";
    }
}
