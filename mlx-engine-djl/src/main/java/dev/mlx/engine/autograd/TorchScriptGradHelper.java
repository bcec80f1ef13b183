package dev.mlx.engine.autograd;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import dev.mlx.api.error.ErrorKind;
import dev.mlx.api.error.MlxException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Differentiable input gradients through {@code torch.autograd.grad(create_graph=True)}.
 *
 * <p>DJL only exposes {@code Tensor::backward(create_graph=True)}, which accumulates into every
 * leaf's {@code .grad} and creates a parameter/gradient reference cycle that leaks hundreds of MB
 * per thousand steps. {@code torch.autograd.grad} touches no {@code .grad}. DJL has no binding for
 * it, so this class writes a four-file TorchScript archive (no Python involved) whose
 * {@code forward(out, x)} returns {@code autograd.grad([sum(out)], [x], create_graph=True)[0]},
 * loads it once per engine, and calls it in training mode (autograd on).
 */
public final class TorchScriptGradHelper implements AutoCloseable {
    private static final String CODE = String.join("\n",
            "class GradHelper(Module):",
            "  __parameters__ = []",
            "  __buffers__ = []",
            "  training : bool",
            "  _is_full_backward_hook : Optional[bool]",
            "  def forward(self: __torch__.GradHelper,",
            "    out: Tensor,",
            "    x: Tensor) -> Tensor:",
            "    gs = torch.autograd.grad([torch.sum(out)], [x], None, None, True)",
            "    return unchecked_cast(Tensor, gs[0])",
            "");
    private static final String CONSTANTS_PKL = "gAIpLg==";
    private static final String DATA_PKL =
            "gAJjX190b3JjaF9fCkdyYWRIZWxwZXIKcQApgX0oWAgAAAB0cmFpbmluZ3EBiFgWAAAAX2lzX2Z1bGxfYmFja3dhcmRfaG9va3ECTnVicQMu";

    private final PtSymbolBlock module;

    private TorchScriptGradHelper(PtSymbolBlock module) {
        this.module = module;
    }

    /**
     * Loads the helper module onto {@code manager} (which must outlive every call).
     *
     * @param manager a PyTorch-engine manager
     * @return the helper
     */
    public static TorchScriptGradHelper load(NDManager manager) {
        try {
            PtSymbolBlock block = JniUtils.loadModule(
                    (PtNDManager) manager, new ByteArrayInputStream(archive()), true, false);
            return new TorchScriptGradHelper(block);
        } catch (IOException | RuntimeException e) {
            throw new MlxException(ErrorKind.INTERNAL,
                    "could not load the TorchScript autograd.grad helper: " + e.getMessage(), e);
        }
    }

    /** @return the bytes of the TorchScript archive */
    static byte[] archive() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            put(zip, "grad_helper/version", "3\n".getBytes(StandardCharsets.US_ASCII));
            put(zip, "grad_helper/constants.pkl", Base64.getDecoder().decode(CONSTANTS_PKL));
            put(zip, "grad_helper/data.pkl", Base64.getDecoder().decode(DATA_PKL));
            put(zip, "grad_helper/code/__torch__.py", CODE.getBytes(StandardCharsets.UTF_8));
        }
        return bytes.toByteArray();
    }

    private static void put(ZipOutputStream zip, String name, byte[] data) throws IOException {
        ZipEntry entry = new ZipEntry(name);
        entry.setTime(0L);
        zip.putNextEntry(entry);
        zip.write(data);
        zip.closeEntry();
    }

    /**
     * Computes {@code d sum(out) / d x} with {@code create_graph=True}. {@code x} must require
     * gradients and {@code out} must have been computed from it with autograd on. The result is on
     * {@code out}'s manager and is differentiable with respect to every leaf {@code out} depends on.
     *
     * @param out the objective (any shape; it is summed)
     * @param x the input leaf
     * @return the gradient, shape of {@code x}
     */
    public NDArray gradient(NDArray out, NDArray x) {
        NDList result = module.forward(new ParameterStore(out.getManager(), false), new NDList(out, x), true);
        return result.singletonOrThrow();
    }

    @Override
    public void close() {
        module.close();
    }
}
