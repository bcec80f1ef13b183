package dev.mlx.engine.autograd;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.training.ParameterStore;
import dev.mlx.api.error.ErrorKind;
import dev.mlx.api.error.MlxException;

/**
 * Differentiable input gradients through {@code torch.autograd.grad(create_graph=True)}.
 *
 * <p>DJL only exposes {@code Tensor::backward(create_graph=True)}, which accumulates into every
 * leaf's {@code .grad} and creates a parameter/gradient reference cycle that leaks hundreds of MB
 * per thousand steps. {@code torch.autograd.grad} touches no {@code .grad}. DJL has no binding for
 * it, so this class loads a TorchScript module ({@link TorchScriptArchive}, no Python involved) whose
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
            return new TorchScriptGradHelper(TorchScriptArchive.load(manager, "GradHelper", CODE));
        } catch (RuntimeException e) {
            throw new MlxException(ErrorKind.INTERNAL,
                    "could not load the TorchScript autograd.grad helper: " + e.getMessage(), e);
        }
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
        try (OneDnnSwitch.Restore restore = OneDnnSwitch.beforeGradient()) {
            NDList result = module.forward(new ParameterStore(out.getManager(), false), new NDList(out, x), true);
            return result.singletonOrThrow();
        }
    }

    @Override
    public void close() {
        module.close();
    }
}
