package dev.mlx.engine.autograd;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import ai.djl.pytorch.jni.IValueUtils;
import java.util.List;
import java.util.Optional;

/**
 * One Adam step over every parameter in a single call: libtorch's fused Adam kernel
 * ({@code torch._fused_adam_}, the kernel behind {@code torch.optim.Adam(fused=True)}, one pass
 * over each tensor instead of a dozen element-wise operations), followed by zeroing the
 * gradients, called through a small TorchScript module ({@link TorchScriptArchive}). The update is
 * PyTorch's Adam with coupled L2 weight decay:
 *
 * <pre>
 * g = grad + wd * theta;  m = lerp(m, g, 1 - beta1);  v = beta2 v + (1 - beta2) g^2
 * theta -= lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
 * </pre>
 */
public final class FusedAdamScript {
    private static final String CODE = TorchScriptArchive.statelessModule("FusedAdam",
            List.of("params: List[Tensor]", "grads: List[Tensor]", "exp_avgs: List[Tensor]",
                    "exp_avg_sqs: List[Tensor]", "steps: List[Tensor]", "lr: float", "beta1: float", "beta2: float",
                    "weight_decay: float", "eps: float"), "Tensor",
            "torch._fused_adam_(params, grads, exp_avgs, exp_avg_sqs, annotate(List[Tensor], []), steps, lr=lr,"
                    + " beta1=beta1, beta2=beta2, weight_decay=weight_decay, eps=eps, amsgrad=False, maximize=False)",
            "torch._foreach_zero_(grads)",
            "return steps[0]");

    private static volatile Optional<FusedAdamScript> shared;

    private final PtSymbolBlock module;

    private FusedAdamScript(PtSymbolBlock module) {
        this.module = module;
    }

    /**
     * @return the process-wide module (loaded once, on a base manager of its own), or empty if
     *     this libtorch cannot compile it (the caller then updates parameter by parameter)
     */
    public static Optional<FusedAdamScript> shared() {
        Optional<FusedAdamScript> s = shared;
        if (s == null) {
            synchronized (FusedAdamScript.class) {
                s = shared;
                if (s == null) {
                    s = load();
                    shared = s;
                }
            }
        }
        return s;
    }

    private static Optional<FusedAdamScript> load() {
        try {
            return Optional.of(new FusedAdamScript(
                    TorchScriptArchive.load(NDManager.newBaseManager(), "FusedAdam", CODE)));
        } catch (RuntimeException e) {
            org.slf4j.LoggerFactory.getLogger(FusedAdamScript.class).debug(
                    "the fused Adam module did not load ({}); Adam updates parameter by parameter", e.getMessage());
            return Optional.empty();
        }
    }

    /**
     * Updates every parameter in place and zeroes its gradient.
     *
     * @param params the parameters (each with a gradient)
     * @param grads their gradients, in the same order
     * @param firstMoments the first-moment buffers, updated in place
     * @param secondMoments the second-moment buffers, updated in place
     * @param step the step number {@code t >= 1} of this update
     * @param learningRate lr
     * @param beta1 beta1
     * @param beta2 beta2
     * @param weightDecay coupled L2 weight decay
     * @param epsilon eps
     */
    public void step(List<NDArray> params, List<NDArray> grads, List<NDArray> firstMoments,
            List<NDArray> secondMoments, long step, double learningRate, double beta1, double beta2,
            double weightDecay, double epsilon) {
        NDManager manager = params.get(0).getManager();
        try (NDManager scratch = manager.newSubManager()) {
            NDArray t = scratch.create((float) step);
            PtNDArray[] steps = new PtNDArray[params.size()];
            java.util.Arrays.fill(steps, (PtNDArray) t);
            IValue[] inputs = {list(params), list(grads), list(firstMoments), list(secondMoments),
                IValue.listFrom(steps), IValue.from(learningRate), IValue.from(beta1), IValue.from(beta2),
                IValue.from(weightDecay), IValue.from(epsilon)};
            try {
                IValueUtils.forward(module, inputs).close();
            } finally {
                for (IValue v : inputs) {
                    v.close();
                }
            }
        }
    }

    private static IValue list(List<NDArray> arrays) {
        return IValue.listFrom(arrays.stream().map(a -> (PtNDArray) a).toArray(PtNDArray[]::new));
    }
}
