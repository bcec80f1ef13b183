package dev.mlx.engine.autograd;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.training.ParameterStore;
import dev.mlx.api.error.ErrorKind;
import dev.mlx.api.error.MlxException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

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
    private static final String CODE = TorchScriptArchive.statelessModule("GradHelper",
            List.of("out: Tensor", "x: Tensor"), "Tensor",
            "gs = torch.autograd.grad([torch.sum(out)], [x], None, None, True)",
            "return unchecked_cast(Tensor, gs[0])");
    /** As {@link #CODE} without create_graph (the graph is retained: the caller may still backward through it). */
    private static final String FIRST_ORDER_CODE = TorchScriptArchive.statelessModule("FirstOrderGradHelper",
            List.of("out: Tensor", "x: Tensor"), "Tensor",
            "gs = torch.autograd.grad([torch.sum(out)], [x], None, True, False)",
            "return unchecked_cast(Tensor, gs[0])");
    /** Returns its argument if it requires gradients, else a detached copy that does (a leaf). */
    private static final String DIFFERENTIABLE_CODE = TorchScriptArchive.statelessModule("Differentiable",
            List.of("z: Tensor"), "Tensor",
            "if ops.prim.requires_grad(z):",
            "  _0 = z",
            "else:",
            "  _0 = torch.requires_grad_(torch.detach(z))",
            "return _0");
    private final NDManager manager;
    private final PtSymbolBlock module;
    private final PtSymbolBlock differentiable;
    private final PtSymbolBlock firstOrder;
    /** Transposed-convolution modules by stride, padding and output padding, loaded on first use. */
    private final Map<String, PtSymbolBlock> transposed = new ConcurrentHashMap<>();

    private TorchScriptGradHelper(NDManager manager, PtSymbolBlock module, PtSymbolBlock differentiable,
            PtSymbolBlock firstOrder) {
        this.manager = manager;
        this.module = module;
        this.differentiable = differentiable;
        this.firstOrder = firstOrder;
    }

    /**
     * Loads the helper module onto {@code manager} (which must outlive every call).
     *
     * @param manager a PyTorch-engine manager
     * @return the helper
     */
    public static TorchScriptGradHelper load(NDManager manager) {
        try {
            return new TorchScriptGradHelper(manager, TorchScriptArchive.load(manager, "GradHelper", CODE),
                    TorchScriptArchive.load(manager, "Differentiable", DIFFERENTIABLE_CODE),
                    TorchScriptArchive.load(manager, "FirstOrderGradHelper", FIRST_ORDER_CODE));
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

    /**
     * Computes {@code d sum(out) / d x} as data (no create_graph; the graph stays usable): an attack's
     * ascent direction. oneDNN is off during it if the graph holds a differentiable gradient.
     *
     * @param out the objective (any shape; it is summed)
     * @param x the tensor to differentiate with respect to
     * @return the gradient, shape of {@code x}, not differentiable
     */
    public NDArray firstOrderGradient(NDArray out, NDArray x) {
        try (OneDnnSwitch.Restore restore = OneDnnSwitch.beforeFirstOrderGradient()) {
            return firstOrder.forward(new ParameterStore(out.getManager(), false), new NDList(out, x), true)
                    .singletonOrThrow();
        }
    }

    /**
     * The gradient of an objective of the logits with respect to the logits, {@code d sum(out) / d z}
     * (create_graph): the first step of an explicit backward pass ({@code Network}), whose other steps
     * are forward operations. It differentiates only the objective, which never runs through a
     * convolution, so it does not count as a differentiable gradient for {@link OneDnnSwitch}.
     *
     * @param out the objective, computed from {@code z} (obtained through {@link #differentiable})
     * @param z the logits
     * @return the gradient, shape of {@code z}, on {@code out}'s manager
     */
    public NDArray logitGradient(NDArray out, NDArray z) {
        return module.forward(new ParameterStore(out.getManager(), false), new NDList(out, z), true).singletonOrThrow();
    }

    /**
     * @param z a tensor
     * @return {@code z} itself if autograd tracks it (it was computed from something that requires
     *     gradients), else a detached copy that requires gradients, so an objective of the result can
     *     be differentiated with respect to it either way
     */
    public NDArray differentiable(NDArray z) {
        return differentiable.forward(new ParameterStore(z.getManager(), false), new NDList(z), true)
                .singletonOrThrow();
    }

    /**
     * {@code torch.conv_transpose2d(g, kernel, stride, padding, outputPadding)} without bias, which DJL's
     * PyTorch engine does not bind: the cotangent of a convolution's input, {@code J^T g}, as a forward
     * operation, so its backward pass is a pair of first-order convolutions.
     *
     * @param g the cotangent of the convolution's output, {@code [B, out, H', W']}
     * @param kernel the convolution's kernel, {@code [out, in, k, k]}
     * @param stride the stride in both directions
     * @param padding the zero padding on every side
     * @param outputPaddingH rows added at the bottom so the result has the convolution input's height
     * @param outputPaddingW columns added at the right, likewise
     * @return {@code [B, in, H, W]}, on {@code g}'s manager
     */
    public NDArray transposedConvolution(NDArray g, NDArray kernel, int stride, int padding, int outputPaddingH,
            int outputPaddingW) {
        String key = stride + "_" + padding + "_" + outputPaddingH + "_" + outputPaddingW;
        PtSymbolBlock block = transposed.computeIfAbsent(key, k -> {
            String name = "ConvTranspose_" + k;
            String code = TorchScriptArchive.statelessModule(name, List.of("g: Tensor", "w: Tensor"), "Tensor",
                    "return torch.conv_transpose2d(g, w, None, [" + stride + ", " + stride + "], [" + padding + ", "
                            + padding + "], [" + outputPaddingH + ", " + outputPaddingW + "])");
            try {
                return TorchScriptArchive.load(manager, name, code);
            } catch (RuntimeException e) {
                throw new MlxException(ErrorKind.INTERNAL, "could not load the TorchScript transposed convolution: "
                        + e.getMessage(), e);
            }
        });
        // DJL passes an array whose name has a dot (a parameter's) inside a dictionary: pass an unnamed view,
        // owned by the batch's manager (not the parameters')
        NDArray w = kernel;
        if (kernel.getName() != null) {
            w = kernel.reshape(kernel.getShape());
            w.attach(g.getManager());
        }
        return block.forward(new ParameterStore(g.getManager(), false), new NDList(g, w), true).singletonOrThrow();
    }

    @Override
    public void close() {
        module.close();
        differentiable.close();
        firstOrder.close();
        transposed.values().forEach(PtSymbolBlock::close);
    }
}
