package dev.mlx.engine.autograd;

import com.sun.jna.Function;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import dev.mlx.api.error.ErrorKind;
import dev.mlx.api.error.MlxException;

/**
 * Keeps libtorch's oneDNN (MKL-DNN) CPU convolutions out of the one place where they produced
 * NaN gradients: a backward pass through the backward of a convolution (the parameter gradient of
 * RRR's {@code ||m * dCE/dx||^2}, of Cert-R4's transposed-convolution bounds, an attack's gradient
 * of an input-gradient difference). See {@code docs/architecture.md}, "The rare NaN".
 *
 * <p><b>What goes wrong.</b> With libtorch 2.7.1 (DJL 0.35.1 and 0.36.0 bundle the same build, with
 * oneDNN 3.7.1) the second-order backward pass through two stacked float32 convolutions sometimes
 * returned NaN in the convolution gradients, while the loss and the input gradient (computed with
 * oneDNN, create_graph) were bit-identical to a good run. Recomputing the same step on the same
 * tensors gave finite, correct gradients; whether a run failed depended on the state of the native
 * heap ({@code MALLOC_PERTURB_} made it disappear), i.e. a oneDNN code path read memory it never
 * wrote and multiplied it by zero. Float64 networks, a single convolution, an MLP and ERM (forward
 * and first-order backward with oneDNN) never failed. With oneDNN off the reproducer gave 0 failures
 * in 500 rounds against failures in most runs of 150-200 rounds with it on
 * ({@code OneDnnNanReproTest}).
 *
 * <p><b>What mlx does</b> ({@link Mode#FIRST_ORDER}, the default): oneDNN stays on for forward passes
 * and first-order gradients, and is switched off ({@code at::Context::setUserEnabledMkldnn(false)},
 * what {@code torch.backends.mkldnn.enabled = False} does in Python) for exactly the backward passes
 * that may run through a convolution's backward: once a differentiable gradient has been taken
 * ({@link #beforeGradient()}, which the autograd helper calls), every later gradient and the step's
 * parameter backward pass ({@link #beforeParameterBackward()}) run without it, until that backward
 * pass ends the step's graph. libtorch re-selects the convolution kernel when a backward node runs,
 * so the switch applies to the nodes recorded while oneDNN was on. {@link Mode#OFF}
 * ({@code -Dmlx.onednn=off}) keeps oneDNN off everywhere, the behaviour before; {@link Mode#ON}
 * ({@code -Dmlx.onednn=on}) on everywhere, to reproduce the NaN. NNPACK, libtorch's
 * next choice for some CPU convolutions, is always off: it cannot run on these CPUs and only prints a
 * warning. DJL exposes neither setting, so they are called through JNA on the libtorch that DJL
 * loaded. Matrix products (linear layers, BERT) never use oneDNN here and are unaffected.
 *
 * <p>The libtorch setting is process-wide, and so is this switch: mlx trains on one thread per
 * process (sweeps run trials as separate processes).
 */
public final class OneDnnSwitch {
    private static final String GLOBAL_CONTEXT = "_ZN2at13globalContextEv";
    private static final String SET_MKLDNN = "_ZN2at7Context20setUserEnabledMkldnnEb";
    private static final String GET_MKLDNN = "_ZNK2at7Context17userEnabledMkldnnEv";
    private static final String SET_NNPACK = "_ZN2at7Context20setUserEnabledNNPACKEb";
    private static final String GET_NNPACK = "_ZNK2at7Context17userEnabledNNPACKEv";

    /** Where oneDNN convolutions run. */
    public enum Mode {
        /** Forward passes and first-order gradients; never a backward pass through a convolution's backward. */
        FIRST_ORDER,
        /** Nowhere. */
        OFF,
        /**
         * Everywhere, second-order backward passes included: the configuration that gave NaN gradients,
         * kept to reproduce it and to measure what the switch costs; never for training.
         */
        ON;

        /**
         * @param text {@code first-order}, {@code off} or {@code on} (the system property {@code mlx.onednn})
         * @return the mode
         * @throws MlxException (user) for any other text
         */
        public static Mode parse(String text) {
            return switch (text) {
                case "first-order" -> FIRST_ORDER;
                case "off" -> OFF;
                case "on" -> ON;
                default -> throw new MlxException(ErrorKind.USER, "unknown oneDNN mode '" + text
                        + "' (-Dmlx.onednn): use first-order (the default), off, or on (reproduces the NaN; never for"
                        + " training)");
            };
        }
    }

    /** Restores the oneDNN setting a {@link #beforeGradient()} or {@link #beforeParameterBackward()} changed. */
    @FunctionalInterface
    public interface Restore extends AutoCloseable {
        @Override
        void close();
    }

    private static final Restore NOTHING = () -> { };
    private static final Restore BACK_ON = () -> set(true);
    private static volatile Mode mode = Mode.OFF;
    /** Whether the graph being built holds a differentiable gradient (a convolution's backward, possibly). */
    private static volatile boolean graphHoldsGradient;

    private OneDnnSwitch() {}

    /**
     * Applies {@code wanted} to this process's libtorch: NNPACK off, oneDNN on ({@link Mode#FIRST_ORDER},
     * {@link Mode#ON}) or off (the engine must have started, so that {@code libtorch_cpu.so} is loaded).
     *
     * @param wanted the mode
     * @throws MlxException (internal) if libtorch does not export the settings or refuses them
     */
    public static void configure(Mode wanted) {
        disableOneDnn();
        graphHoldsGradient = false;
        mode = wanted;
        if (wanted != Mode.OFF) {
            set(true);
        }
    }

    /** @return the mode in force */
    public static Mode mode() {
        return mode;
    }

    /**
     * Call before taking a differentiable gradient (create_graph). If the graph already holds one,
     * this gradient may run through a convolution's backward, so oneDNN is off until the returned
     * scope closes; either way the graph holds a gradient afterwards.
     *
     * @return the scope to close when the gradient is taken
     */
    public static Restore beforeGradient() {
        return before(true);
    }

    /**
     * Call before the parameter backward pass of a step: oneDNN is off during it if the step's graph
     * holds a differentiable gradient; the graph is then spent.
     *
     * @return the scope to close when the backward pass is done
     */
    public static Restore beforeParameterBackward() {
        return before(false);
    }

    /**
     * Call before a gradient taken as data (no create_graph): oneDNN is off during it if the graph holds
     * a differentiable gradient; the graph is not spent, so what it holds is unchanged.
     *
     * @return the scope to close when the gradient is taken
     */
    public static Restore beforeFirstOrderGradient() {
        if (mode != Mode.FIRST_ORDER || !graphHoldsGradient) {
            return NOTHING;
        }
        set(false);
        return BACK_ON;
    }

    /** Off (until the scope closes) if the graph holds a gradient; the graph holds one afterwards or not. */
    private static Restore before(boolean holdsGradientAfter) {
        if (mode != Mode.FIRST_ORDER) {
            return NOTHING;
        }
        boolean throughGradient = graphHoldsGradient;
        graphHoldsGradient = holdsGradientAfter;
        if (!throughGradient) {
            return NOTHING;
        }
        set(false);
        return BACK_ON;
    }

    /** Called twice per training step with a penalty: the setter and libtorch's context are looked up once. */
    private static void set(boolean on) {
        Setter.FUNCTION.invokeVoid(new Object[] {Setter.CONTEXT, (byte) (on ? 1 : 0)});
    }

    /** libtorch's oneDNN setter and global context, resolved on first use (the engine has started by then). */
    private static final class Setter {
        private static final NativeLibrary TORCH = NativeLibrary.getInstance("torch_cpu");
        private static final Pointer CONTEXT = TORCH.getFunction(GLOBAL_CONTEXT).invokePointer(new Object[0]);
        private static final Function FUNCTION = TORCH.getFunction(SET_MKLDNN);
    }

    /**
     * Switches oneDNN and NNPACK off in the libtorch of this process.
     */
    private static void disableOneDnn() {
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

    /** @return whether oneDNN convolutions are enabled in this process's libtorch right now */
    public static boolean oneDnnEnabled() {
        NativeLibrary torch = NativeLibrary.getInstance("torch_cpu");
        return enabled(torch, GET_MKLDNN, torch.getFunction(GLOBAL_CONTEXT).invokePointer(new Object[0]));
    }

    private static boolean enabled(NativeLibrary torch, String getter, Pointer context) {
        // a C++ bool comes back in the low byte of the return register
        return (torch.getFunction(getter).invokeInt(new Object[] {context}) & 0xFF) != 0;
    }
}
