package dev.mlx.engine;

import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import dev.mlx.api.error.ErrorKind;
import dev.mlx.api.error.MlxException;

/**
 * Turns off libtorch's oneDNN (MKL-DNN) CPU convolutions, the cause of the rare NaN gradients that
 * training a CNN with a penalty on input gradients (RRR, Cert-R4, ...) produced (see
 * {@code docs/architecture.md}, "The rare NaN").
 *
 * <p><b>What goes wrong.</b> With libtorch 2.7.1 (DJL 0.35.1 and 0.36.0 bundle the same build, with
 * oneDNN 3.7.1) the second-order backward pass through two stacked float32 convolutions (the
 * parameter gradient of {@code ||m * dCE/dx||^2}) sometimes returns NaN in the convolution
 * gradients, while the loss and the input gradient are bit-identical to a good run. Recomputing the
 * same step on the same tensors right after gives finite, correct gradients; whether a run fails
 * depends on the state of the native heap (more garbage collection, which frees many direct buffers,
 * makes it likelier; {@code MALLOC_PERTURB_}, which overwrites freed and new heap memory, makes it
 * disappear), i.e. a oneDNN code path reads memory it never wrote and multiplies it by zero, which
 * is harmless unless those bytes happen to hold a NaN or infinity. Float64 networks (which oneDNN
 * does not handle), a single convolution, an MLP and ERM never fail. With oneDNN off the same
 * reproducer gave 0 failures in 500 rounds against failures in every run of 150-200 rounds with it
 * on ({@code NanReproTest} in mlx-engine-djl's tests).
 *
 * <p><b>The workaround.</b> libtorch then runs convolutions through its own im2col + BLAS kernels
 * ({@code at::Context::setUserEnabledMkldnn(false)}, what {@code torch.backends.mkldnn.enabled =
 * False} does in Python). NNPACK, libtorch's next choice for some CPU convolutions, is switched off too:
 * it cannot run on these CPUs and only prints a warning. DJL exposes neither setting, so they are
 * called through JNA on the libtorch that DJL loaded. Matrix products (linear layers, BERT) never
 * used oneDNN here and are unaffected.
 */
final class OneDnnSwitch {
    private static final String GLOBAL_CONTEXT = "_ZN2at13globalContextEv";
    private static final String SET_MKLDNN = "_ZN2at7Context20setUserEnabledMkldnnEb";
    private static final String GET_MKLDNN = "_ZNK2at7Context17userEnabledMkldnnEv";
    private static final String SET_NNPACK = "_ZN2at7Context20setUserEnabledNNPACKEb";
    private static final String GET_NNPACK = "_ZNK2at7Context17userEnabledNNPACKEv";

    private OneDnnSwitch() {}

    /**
     * Switches oneDNN and NNPACK off in the libtorch of this process (the engine must have started,
     * so that {@code libtorch_cpu.so} is loaded).
     *
     * @throws MlxException (internal) if libtorch does not export the settings or refuses them
     */
    static void disableOneDnn() {
        try {
            NativeLibrary torch = NativeLibrary.getInstance("torch_cpu");
            Pointer context = torch.getFunction(GLOBAL_CONTEXT).invokePointer(new Object[0]);
            torch.getFunction(SET_MKLDNN).invokeVoid(new Object[] {context, (byte) 0});
            torch.getFunction(SET_NNPACK).invokeVoid(new Object[] {context, (byte) 0});
            if (enabled(torch, GET_MKLDNN, context) || enabled(torch, GET_NNPACK, context)) {
                throw new MlxException(ErrorKind.INTERNAL, "libtorch kept oneDNN or NNPACK on after being asked to"
                        + " switch them off");
            }
        } catch (UnsatisfiedLinkError e) {
            throw new MlxException(ErrorKind.INTERNAL, "could not switch off oneDNN convolutions in libtorch ("
                    + e.getMessage() + "); mlx needs libtorch 2.7.x's libtorch_cpu.so (see docs/architecture.md,"
                    + " \"The rare NaN\")", e);
        }
    }

    /** @return whether oneDNN convolutions are enabled in this process's libtorch */
    static boolean oneDnnEnabled() {
        NativeLibrary torch = NativeLibrary.getInstance("torch_cpu");
        return enabled(torch, GET_MKLDNN, torch.getFunction(GLOBAL_CONTEXT).invokePointer(new Object[0]));
    }

    private static boolean enabled(NativeLibrary torch, String getter, Pointer context) {
        // a C++ bool comes back in the low byte of the return register
        return (torch.getFunction(getter).invokeInt(new Object[] {context}) & 0xFF) != 0;
    }
}
