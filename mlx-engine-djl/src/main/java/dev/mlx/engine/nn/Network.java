package dev.mlx.engine.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import dev.mlx.api.error.UnsupportedCapabilityException;
import dev.mlx.api.model.Architecture;
import dev.mlx.api.train.FeatureColumns;
import dev.mlx.api.train.InputGradient;
import dev.mlx.api.train.Interval;
import dev.mlx.api.train.IntervalBounds;
import dev.mlx.api.train.IntervalPass;
import dev.mlx.api.train.MaskedInputs;
import dev.mlx.api.train.Model;
import dev.mlx.api.train.TokenEmbeddings;
import dev.mlx.engine.autograd.GradMode;
import dev.mlx.engine.autograd.IndexSelect;
import dev.mlx.engine.autograd.TorchScriptGradHelper;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * A feed-forward network built from an {@link Architecture}: the engine's implementation of the
 * {@link Model} a regularizer sees. Owns its parameters through its own {@link NDManager};
 * {@link #close()} frees them.
 *
 * <p>A network is outside training by default (PyTorch's {@code module.eval()}): dropout is off
 * and batch normalisation uses its running statistics. The training loop opens
 * {@link #trainingMode()} around each step ({@code module.train()}), which switches on dropout and,
 * for batch normalisations in mode {@code train}, batch statistics.
 */
public final class Network implements Model, AutoCloseable {
    private final Architecture architecture;
    private final List<Layer> layers;
    private final List<Parameter> parameters;
    private final List<Parameter> trainable;
    private final NDManager manager;
    private final NetworkMode mode;
    private final TorchScriptGradHelper gradHelper;
    /** Index of a linear layer preceded only by flatten layers (the compact paths' layer), or -1. */
    private final int firstLinear;
    /** Whether input gradients are taken by an explicit backward pass (every layer has a cotangent). */
    private final boolean explicit;
    /** Index of a flatten layer preceded by convolutions and ReLUs only (the windowed path's layout), or -1. */
    private final int flattenAfterConvs;
    /** See {@link ForwardCache}; replaced by every {@link #logits} call. */
    private ForwardCache forwardCache;
    /** The recorded forward pass of a {@link #shareForward()} scope, or {@code null}. */
    private RecordedForward recorded;
    /** Whether a {@link #shareForward()} scope is open. */
    private boolean sharing;
    /** Depth of {@link #gradient} calls in progress (networks are used by one thread at a time). */
    private int nesting;

    Network(Architecture architecture, List<Layer> layers, NDManager manager, TorchScriptGradHelper gradHelper,
            NetworkMode mode) {
        this(architecture, layers, manager, gradHelper, mode, layers.stream().allMatch(Layer::hasExplicitCotangent),
                true);
    }

    private Network(Architecture architecture, List<Layer> layers, NDManager manager, TorchScriptGradHelper gradHelper,
            NetworkMode mode, boolean explicit, boolean windows) {
        this.architecture = architecture;
        this.layers = List.copyOf(layers);
        this.firstLinear = firstLinear(this.layers);
        this.explicit = explicit;
        this.flattenAfterConvs = windows ? flattenAfterConvs(this.layers) : -1;
        this.manager = manager;
        this.gradHelper = gradHelper;
        this.mode = mode;
        List<Parameter> ps = new ArrayList<>();
        layers.forEach(l -> ps.addAll(l.parameters()));
        this.parameters = List.copyOf(ps);
        this.trainable = parameters.stream().filter(Parameter::trainable).toList();
    }

    /** @return the architecture this network was built from */
    public Architecture architecture() {
        return architecture;
    }

    /**
     * @return every named tensor in layer order: the trainable parameters, frozen parameters and
     *     buffers such as batch-normalisation running statistics (what a checkpoint saves); for
     *     networks of Linear and Conv2d layers only, exactly the trainable parameters
     */
    public List<Parameter> parameters() {
        return parameters;
    }

    /** @return the parameters the optimiser updates, in layer order */
    public List<Parameter> trainableParameters() {
        return trainable;
    }

    /** @return the mode shared with the layers */
    public NetworkMode mode() {
        return mode;
    }

    /**
     * Switches the network into training mode until the returned scope is closed, which restores
     * the previous mode. Use one per training step, in try-with-resources.
     *
     * @return the scope
     */
    public TrainingScope trainingMode() {
        boolean was = mode.training();
        mode.set(true);
        return () -> mode.set(was);
    }

    /** A span of training mode; closing it restores the mode from before. */
    @FunctionalInterface
    public interface TrainingScope extends AutoCloseable {
        @Override
        void close();
    }

    /** @return the manager owning the parameters */
    public NDManager manager() {
        return manager;
    }

    /** @return the total number of trainable scalar parameters */
    public long parameterCount() {
        return trainable.stream().mapToLong(p -> p.array().size()).sum();
    }

    @Override
    public NDArray logits(NDArray inputs) {
        if (sharing && explicit && JniUtils.isGradMode()) {
            NDArray[] layerInputs = new NDArray[layers.size()];
            NDArray logits = forward(inputs, layerInputs);
            recorded = new RecordedForward(inputs, layerInputs, logits);
            return logits;
        }
        return forward(inputs, null);
    }

    /**
     * Opens a scope in which the forward pass of {@link #logits} (with autograd on) is remembered, and an
     * explicit input gradient at the same inputs (the same array) starts from it instead of running the
     * network again: a training step's task loss and its penalty's input gradient then share one forward
     * pass and, in the parameter backward pass, one backward pass through it. The parameters must not
     * change inside the scope (a training step updates them after it); the scope forgets the pass when
     * closed.
     *
     * @return the scope, for try-with-resources
     */
    public SharingScope shareForward() {
        sharing = true;
        return () -> {
            sharing = false;
            recorded = null;
        };
    }

    /** The span of {@link #shareForward()}. */
    @FunctionalInterface
    public interface SharingScope extends AutoCloseable {
        @Override
        void close();
    }

    /** A forward pass remembered inside {@link #shareForward()}: its inputs (by identity), every layer's input, the logits. */
    private record RecordedForward(NDArray inputs, NDArray[] layerInputs, NDArray logits) {}

    /** @return the remembered forward pass at exactly these inputs, or {@code null} */
    private RecordedForward recordedAt(NDArray inputs) {
        RecordedForward r = recorded;
        return r != null && r.inputs() == inputs && JniUtils.isGradMode() ? r : null;
    }

    /**
     * @param inputs the batch
     * @param layerInputs if not {@code null}, receives each layer's input
     * @return the logits
     */
    private NDArray forward(NDArray inputs, NDArray[] layerInputs) {
        int first = firstLinear;
        NDArray x = inputs;
        for (int i = 0; i < layers.size(); i++) {
            if (layerInputs != null) {
                layerInputs[i] = x;
            }
            x = layers.get(i).forward(x);
            if (i == first) {
                forwardCache = new ForwardCache(inputs, x, JniUtils.isGradMode());
            }
        }
        return x;
    }

    /**
     * The input gradient. When every layer has an explicit cotangent ({@link Layer#hasExplicitCotangent()}:
     * networks of linear, convolution, ReLU and flatten layers) it is an explicit backward pass, {@code g
     * <- J_i^T g} from the logit gradient down to the input, made of forward operations; the parameter
     * gradient of a penalty on it is then an ordinary first-order backward pass (no convolution
     * double-backward), and no copy of the inputs is needed. Otherwise it is
     * {@code torch.autograd.grad(create_graph=True)} at a leaf. Both give the same values and the same
     * parameter gradients up to float rounding ({@code ExplicitInputGradientTest}).
     */
    @Override
    public InputGradient inputGradient(NDArray inputs, UnaryOperator<NDArray> objective) {
        return GradMode.on(() -> {
            if (explicit) {
                return explicitInputGradient(inputs, objective);
            }
            if (nesting > 0 && !inputs.hasGradient()) {
                // Inside gradient(): the inputs may be computed from the outer leaf (libtorch knows,
                // but DJL's requiresGrad() reports false for such results), so differentiate with
                // respect to them as they are; if they are plain data, autograd refuses and we fall
                // back to a fresh leaf below.
                try {
                    return inputGradientAt(inputs, objective);
                } catch (ai.djl.engine.EngineException notConnected) {
                    // plain data: continue with a copy
                }
            }
            NDArray leaf = inputs.hasGradient() ? inputs : leafCopy(inputs);
            return inputGradientAt(leaf, objective);
        });
    }

    /**
     * When the first layer is linear (after flattening) and the mask covers at most
     * {@link #COMPACT_SHARE} of its inputs, differentiates with respect to the masked columns only:
     * {@code x W^T = x_rest W^T + z W[:, c]^T} with {@code z = x[:, c]} the leaf and {@code x_rest}
     * the inputs with those columns zeroed, so the input gradient and its parameter gradient cost
     * {@code B x |c| x out} instead of {@code B x in x out}. Equal to the full gradient on the
     * masked columns up to the order of float summation (tested in {@code CompactInputGradientTest}).
     */
    @Override
    public InputGradient maskedInputGradient(NDArray inputs, NDArray mask, UnaryOperator<NDArray> objective) {
        int first = firstLinear;
        if (first < 0) {
            InputGradient windowed = explicit && flattenAfterConvs > 0 ? windowed(inputs, mask, objective) : null;
            return windowed != null ? windowed : Model.super.maskedInputGradient(inputs, mask, objective);
        }
        NDArray flatMask = mask.reshape(inputs.getShape().get(0), -1);
        NDArray columns = compactColumns(flatMask);
        if (columns == null) {
            return Model.super.maskedInputGradient(inputs, mask, objective);
        }
        return scattered(compact(first, inputs, flatMask, columns, 1, objective), first, columns, inputs.getShape());
    }

    /**
     * The features a masked input gradient runs on: with a linear first layer, the columns where the
     * mask is non-zero when they are at most {@link #COMPACT_SHARE} of the inputs; on a network that
     * starts with convolutions, the window of the mask's bounding box over the batch (every channel)
     * when it is at most that share of the image ({@link Window#flatColumns}); otherwise every feature.
     */
    @Override
    public FeatureColumns maskedColumns(NDArray mask) {
        long b = mask.getShape().get(0);
        long features = mask.size() / b;
        if (firstLinear >= 0) {
            NDArray columns = compactColumns(mask.reshape(b, -1));
            return columns == null ? FeatureColumns.all(mask) : new FeatureColumns(columns, features);
        }
        if (explicit && flattenAfterConvs > 0 && mask.getShape().dimension() == 4) {
            Window box = Window.small(mask, COMPACT_SHARE);
            if (box != null) {
                return new FeatureColumns(box.flatColumns(mask.getShape(), mask.getManager()), features);
            }
        }
        return FeatureColumns.all(mask);
    }

    /**
     * The compact and windowed paths of {@link #maskedInputGradient(NDArray, NDArray, UnaryOperator)},
     * stopped before their gradient is scattered to the inputs' shape.
     */
    @Override
    public InputGradient maskedInputGradient(NDArray inputs, NDArray mask, FeatureColumns columns,
            UnaryOperator<NDArray> objective) {
        int first = firstLinear;
        if (columns.indices() != null && first >= 0) {
            return compact(first, inputs, mask.reshape(inputs.getShape().get(0), -1), columns.indices(), 1, objective);
        }
        if (columns.indices() != null && explicit && flattenAfterConvs > 0) {
            InputGradient windowed = windowed(inputs, mask, objective, columns.count());
            if (windowed != null) {
                return windowed;
            }
        }
        return Model.super.maskedInputGradient(inputs, mask, columns, objective);
    }

    /**
     * {@link #maskedInputGradient(NDArray, NDArray, int, UnaryOperator)} on the columns: the compact
     * path stopped before its gradient is scattered.
     */
    @Override
    public InputGradient maskedInputGradient(NDArray inputs, NDArray mask, FeatureColumns columns, int copies,
            UnaryOperator<NDArray> objective) {
        int first = firstLinear;
        long b = mask.getShape().get(0);
        if (columns.indices() == null || first < 0 || copies < 1 || inputs.getShape().get(0) != copies * b || nesting > 0
                || inputs.hasGradient()) {
            return Model.super.maskedInputGradient(inputs, mask, columns, copies, objective);
        }
        return compact(first, inputs, Model.stackedMask(mask.reshape(b, -1), copies), columns.indices(), copies,
                objective);
    }

    /**
     * With a linear first layer and the mask's columns: {@code x_rest W^T + b} of the base is computed
     * once, on the first point, and every point adds its columns' product {@code z W[:, c]^T}; the
     * masked gradient on the columns is the explicit backward pass's. Each point then costs
     * {@code B x K x out} in the first layer instead of a forward and an input-gradient product over
     * every feature.
     */
    @Override
    public MaskedInputs maskedInputs(NDArray base, NDArray mask, FeatureColumns columns) {
        int first = firstLinear;
        if (first < 0 || columns.indices() == null || !explicit) {
            return Model.super.maskedInputs(base, mask, columns);
        }
        LinearLayer linear = (LinearLayer) layers.get(first);
        long b = base.getShape().get(0);
        NDArray flatMask = mask.reshape(b, -1);
        NDArray indices = columns.indices();
        return new MaskedInputs() {
            private NDArray rest;

            @Override
            public NDArray columnValues() {
                return columns.select(base);
            }

            @Override
            public InputGradient maskedInputGradient(NDArray values, UnaryOperator<NDArray> objective) {
                return GradMode.on(() -> {
                    if (rest == null) {
                        rest = linear.restProduct(base.reshape(b, -1), indices);
                    }
                    NDArray x = rest.add(linear.columnProduct(values, indices));
                    NDArray[] layerInputs = new NDArray[layers.size()];
                    for (int i = first + 1; i < layers.size(); i++) {
                        layerInputs[i] = x;
                        x = layers.get(i).forward(x);
                    }
                    NDArray g = backward(layerInputs, logitGradient(x, objective), first + 1);
                    return maskedColumns(flatMask, indices, linear.columnCotangent(g, indices), x);
                });
            }
        };
    }

    /** A compact gradient {@code [rows, K]} on {@code columns}, scattered to the inputs' {@code shape}. */
    private InputGradient scattered(InputGradient compact, int first, NDArray columns, Shape shape) {
        LinearLayer linear = (LinearLayer) layers.get(first);
        return new InputGradient(compact.logits(), linear.scatter(compact.gradient(), columns).reshape(shape));
    }

    /**
     * As {@link #maskedInputGradient(NDArray, NDArray, UnaryOperator)}, and the product of the
     * unmasked features with the first layer's weights is computed once for all the copies
     * ({@link LinearLayer#forwardSplit(NDArray, NDArray, NDArray, int)}).
     */
    @Override
    public InputGradient maskedInputGradient(NDArray inputs, NDArray mask, int copies,
            UnaryOperator<NDArray> objective) {
        int first = firstLinear;
        long b = mask.getShape().get(0);
        NDArray flatMask = first < 0 || copies < 1 || inputs.getShape().get(0) != copies * b ? null
                : mask.reshape(b, -1);
        NDArray columns = flatMask == null ? null : compactColumns(flatMask);
        if (columns == null || nesting > 0 || inputs.hasGradient()) {
            // inputs differentiated as they are (inside gradient()) need every block's own product
            return Model.super.maskedInputGradient(inputs, mask, copies, objective);
        }
        return scattered(compact(first, inputs, Model.stackedMask(flatMask, copies), columns, copies, objective), first,
                columns, inputs.getShape());
    }

    /** The compact path of both masked input gradients; {@code mask} is {@code [rows of inputs, features]}. */
    private InputGradient compact(int first, NDArray inputs, NDArray mask, NDArray columns, int copies,
            UnaryOperator<NDArray> objective) {
        return GradMode.on(() -> {
            if (explicit) {
                return compactInputGradient(first, inputs, mask, columns, copies, objective, false);
            }
            if (nesting > 0 || inputs.hasGradient()) {
                // as in inputGradient: inputs computed from an outer leaf are differentiated as they are,
                // so an outer gradient() flows through both the masked columns and the rest
                try {
                    return compactInputGradient(first, inputs, mask, columns, copies, objective, false);
                } catch (ai.djl.engine.EngineException notConnected) {
                    // plain data: continue with a copy
                }
            }
            return compactInputGradient(first, inputs, mask, columns, copies, objective, true);
        });
    }

    private InputGradient compactInputGradient(int first, NDArray inputs, NDArray mask, NDArray columns,
            int copies, UnaryOperator<NDArray> objective, boolean copy) {
        long n = inputs.getShape().get(0);
        LinearLayer linear = (LinearLayer) layers.get(first);
        RecordedForward shared = explicit && copies == 1 ? recordedAt(inputs) : null;
        if (shared != null) {
            NDArray logits = shared.logits();
            NDArray g = backward(shared.layerInputs(), logitGradient(logits, objective), first + 1);
            return maskedColumns(mask, columns, linear.columnCotangent(g, columns), logits);
        }
        NDArray flat = inputs.reshape(n, -1);
        NDArray z = IndexSelect.columns(flat, columns);
        if (copy && !explicit) {
            z = z.duplicate();
            z.setRequiresGradient(true);
        }
        NDArray x = linear.forwardSplit(flat, z, columns, copies);
        NDArray[] layerInputs = new NDArray[layers.size()];
        for (int i = first + 1; i < layers.size(); i++) {
            layerInputs[i] = x;
            x = layers.get(i).forward(x);
        }
        NDArray gz;
        if (explicit) {
            NDArray g = backward(layerInputs, logitGradient(x, objective), first + 1);
            gz = linear.columnCotangent(g, columns);
        } else {
            gz = gradHelper.gradient(objective.apply(x), z);
        }
        return maskedColumns(mask, columns, gz, x);
    }

    /**
     * The compact gradient {@code gz} of the columns, zeroed where an example's own mask ({@code [rows,
     * features]}) is zero: shape {@code [rows, K]}.
     */
    private static InputGradient maskedColumns(NDArray mask, NDArray columns, NDArray gz, NDArray logits) {
        // zero where this example's own mask is (the columns are the union over the batch)
        NDArray read = IndexSelect.columns(mask, columns).neq(0).toType(gz.getDataType(), false);
        return new InputGradient(logits, gz.mul(read));
    }

    /**
     * The masked input gradient of a network that starts with convolutions and ReLUs (then flattens),
     * when the mask's bounding box over the batch covers at most {@link #COMPACT_SHARE} of the image:
     * the explicit backward pass below the flatten runs on windows only. A masked input position receives
     * cotangents only from the outputs whose receptive fields contain it, so at each layer only the window
     * of positions that reach the box is needed ({@link Conv2dLayer#touched}); each convolution's cotangent
     * is a transposed convolution over that window, cropped ({@link Conv2dLayer#windowCotangent}). On the
     * Decoy-DERM network a corner patch of 16 x 16 of 64 x 64 pixels needs 7-16 % of each feature map.
     * Equal to the full explicit pass on the mask up to float rounding ({@code WindowedInputGradientTest}).
     *
     * @return the gradient, or {@code null} when the window does not pay or does not apply (the caller takes the full pass)
     */
    private InputGradient windowed(NDArray inputs, NDArray mask, UnaryOperator<NDArray> objective) {
        return windowed(inputs, mask, objective, -1);
    }

    /**
     * {@link #windowed(NDArray, NDArray, UnaryOperator)}; with {@code onColumns >= 0} the gradient on
     * the window's features only, {@code [B, K]} in {@link Window#flatColumns}'s order, if the window
     * has {@code onColumns} features (else {@code null}).
     */
    private InputGradient windowed(NDArray inputs, NDArray mask, UnaryOperator<NDArray> objective, long onColumns) {
        Shape shape = inputs.getShape();
        Window box = shape.dimension() == 4 && mask.getShape().equals(shape) ? Window.small(mask, COMPACT_SHARE)
                : null;
        if (box == null || (onColumns >= 0 && box.area() * shape.get(1) != onColumns)) {
            return null;
        }
        return GradMode.on(() -> {
            RecordedForward shared = recordedAt(inputs);
            NDArray[] layerInputs = shared != null ? shared.layerInputs() : new NDArray[layers.size()];
            NDArray logits = shared != null ? shared.logits() : forward(inputs, layerInputs);
            int flatten = flattenAfterConvs;
            Window[] windows = windows(box, i -> layerInputs[i + 1].getShape());
            Shape map = layerInputs[flatten].getShape();
            NDArray g;
            if (flatten + 1 < layers.size() && layers.get(flatten + 1) instanceof LinearLayer linear) {
                // the linear layer after the flatten: its cotangent on the window's columns only
                g = backward(layerInputs, logitGradient(logits, objective), flatten + 2);
                NDArray columns = windows[flatten].flatColumns(map, g.getManager());
                g = windows[flatten].unflatten(linear.columnCotangent(g, columns), map.get(1));
            } else {
                g = backward(layerInputs, logitGradient(logits, objective), flatten + 1);
                g = windows[flatten].of(g.reshape(map));
            }
            for (int i = flatten - 1; i >= 0; i--) {
                if (layers.get(i) instanceof Conv2dLayer conv) {
                    g = conv.windowCotangent(g, windows[i + 1], windows[i]);
                    if (g == null) {
                        return null;
                    }
                } else {
                    g = layers.get(i).cotangent(g, windows[i].of(layerInputs[i]));
                }
            }
            NDArray read = box.of(mask).neq(0).toType(g.getDataType(), false);
            return new InputGradient(logits, onColumns >= 0 ? g.mul(read).reshape(shape.get(0), onColumns)
                    : Window.embed(g.mul(read), box, shape));
        });
    }

    /**
     * @param box the window of the input
     * @param outputShape the shape of layer {@code i}'s output, for {@code i} below the flatten
     * @return the window of each layer's input up to the flatten's ({@code [flatten + 1]}): a convolution's
     *     is the one its predecessor's window touches, a ReLU keeps it
     */
    private Window[] windows(Window box, java.util.function.IntFunction<Shape> outputShape) {
        int flatten = flattenAfterConvs;
        Window[] windows = new Window[flatten + 1];
        windows[0] = box;
        for (int i = 0; i < flatten; i++) {
            Shape out = outputShape.apply(i);
            windows[i + 1] = layers.get(i) instanceof Conv2dLayer conv ? conv.touched(windows[i], out.get(2),
                    out.get(3)) : windows[i];
        }
        return windows;
    }

    /** The explicit backward pass of {@link #inputGradient}, at the inputs as they are. */
    private InputGradient explicitInputGradient(NDArray inputs, UnaryOperator<NDArray> objective) {
        RecordedForward shared = recordedAt(inputs);
        NDArray[] layerInputs = shared != null ? shared.layerInputs() : new NDArray[layers.size()];
        NDArray logits = shared != null ? shared.logits() : forward(inputs, layerInputs);
        return new InputGradient(logits, backward(layerInputs, logitGradient(logits, objective), 0));
    }

    /** {@code d sum(objective(z)) / d z} at the logits (create_graph), the start of an explicit backward pass. */
    private NDArray logitGradient(NDArray logits, UnaryOperator<NDArray> objective) {
        NDArray z = gradHelper.differentiable(logits);
        return gradHelper.logitGradient(objective.apply(z), z);
    }

    /** Applies the explicit cotangents of the layers from the last down to {@code to}. */
    private NDArray backward(NDArray[] layerInputs, NDArray g, int to) {
        for (int i = layers.size() - 1; i >= to; i--) {
            g = layers.get(i).cotangent(g, layerInputs[i]);
        }
        return g;
    }

    private InputGradient inputGradientAt(NDArray x, UnaryOperator<NDArray> objective) {
        NDArray logits = logits(x);
        return new InputGradient(logits, gradHelper.gradient(objective.apply(logits), x));
    }

    @Override
    public NDArray gradient(NDArray inputs, UnaryOperator<NDArray> function) {
        return gradient(inputs, function, true);
    }

    /** As {@link #gradient(NDArray, UnaryOperator)} without create_graph: no graph of the backward pass is recorded. */
    @Override
    public NDArray detachedGradient(NDArray inputs, UnaryOperator<NDArray> function) {
        return gradient(inputs, function, false);
    }

    private NDArray gradient(NDArray inputs, UnaryOperator<NDArray> function, boolean differentiable) {
        return GradMode.on(() -> {
            nesting++;
            try {
                NDArray leaf = leafCopy(inputs);
                NDArray out = function.apply(leaf);
                return differentiable ? gradHelper.gradient(out, leaf) : gradHelper.firstOrderGradient(out, leaf);
            } finally {
                nesting--;
            }
        });
    }

    /** A copy of the inputs that is a leaf requiring gradients (the copy is cut from any graph). */
    private static NDArray leafCopy(NDArray inputs) {
        NDArray leaf = inputs.duplicate();
        leaf.setRequiresGradient(true);
        return leaf;
    }

    @Override
    public IntervalBounds intervalBounds() {
        for (int i = 0; i < layers.size(); i++) {
            String unsupported = firstUnsupported(layers.get(i), Layer::supportsIntervals);
            if (unsupported != null) {
                throw new UnsupportedCapabilityException("interval bounds are not supported through layer " + i
                        + " (" + unsupported + ") of " + architecture + "; " + SUPPORTED
                        + ". Choose a regularizer that needs no bounds (e.g. rrr) or a model without this layer.");
            }
        }
        return new IntervalBounds() {
            @Override
            public IntervalPass propagate(Interval input) {
                return Network.this.propagate(input, null);
            }

            @Override
            public IntervalPass propagateMaskedBox(NDArray x, NDArray mask, double eps) {
                return Network.this.propagate(Interval.maskedBox(x, mask, eps), x);
            }

            /**
             * With a linear first layer and the mask's columns, the box's radius on the columns is
             * {@code eps * mask} there: the first layer's radius product reads it directly.
             */
            @Override
            public IntervalPass propagateMaskedBox(NDArray x, NDArray mask, double eps, FeatureColumns columns) {
                if (firstLinear < 0 || columns.indices() == null) {
                    return propagateMaskedBox(x, mask, eps);
                }
                return Network.this.propagate(Interval.maskedBox(x, mask, eps), x, columns.indices(),
                        dev.mlx.api.train.Scalars.times(columns.select(mask), eps));
            }
        };
    }

    /**
     * The first linear layer's output of the last {@link #logits} call and its input (kept by
     * identity: a training step's forward pass, which a masked box centred on the same batch reuses).
     */
    private record ForwardCache(NDArray input, NDArray firstLinearOutput, boolean withGraph) {
        /** @return the cached output if {@code x} is the same array and the output carries what this use needs */
        NDArray reuseFor(NDArray x) {
            return x == input && (withGraph || !JniUtils.isGradMode()) ? firstLinearOutput : null;
        }
    }

    /**
     * The columns of the linear layer's weight after the flatten that a forward interval step
     * gathered for a window ({@link LinearLayer#forwardIntervalAround}), so that the backward step on
     * the same window multiplies by them instead of gathering them again: one gather, and one
     * full-size zero buffer and index-add in its gradient, instead of two (the weight is 1024 x 14400
     * on the Decoy-DERM CNN, whose Cert-R4 step wrote 59 MB for each).
     *
     * @param window the window at the flatten's input
     * @param weights {@code W[:, window columns]}
     * @param recorded whether autograd recorded the gather (as {@link ForwardCache}: reused when it carries
     *     what the use needs)
     */
    private record WindowWeights(Window window, NDArray weights, boolean recorded) {
        NDArray reusableFor(Window w) {
            return window.equals(w) && (recorded || !JniUtils.isGradMode()) ? weights : null;
        }
    }

    private static final String SUPPORTED = "supported layer types: Linear, ReLU, Flatten, Conv2d, MaxPool2d,"
            + " GlobalAvgPool2d, Dropout, Residual, and BatchNorm2d with running statistics (batchnorm mode eval, or"
            + " outside training steps)";

    /**
     * @return the description of the first layer (looking inside residual blocks) failing
     *     {@code supports}, or {@code null}
     */
    private static String firstUnsupported(Layer layer, Predicate<Layer> supports) {
        if (supports.test(layer)) {
            return null;
        }
        if (layer instanceof ResidualLayer residual) {
            for (List<Layer> branch : List.of(residual.body(), residual.shortcut())) {
                String branchName = branch == residual.body() ? "body" : "shortcut";
                for (int j = 0; j < branch.size(); j++) {
                    String inner = firstUnsupported(branch.get(j), supports);
                    if (inner != null) {
                        return "residual " + branchName + " layer " + j + ": " + inner;
                    }
                }
            }
        }
        return layer.describe();
    }

    /**
     * A masked box moves few features (Decoy-MNIST: one 4x4 patch of 784 pixels); when the features
     * that move in a batch are at most this share of a linear first layer's inputs, that layer's
     * radius and backward products run over those columns only ({@link LinearLayer#forwardInterval(
     * Interval, NDArray)}), which makes a Cert-R4 step about twice as fast on the MLP.
     */
    private static final double COMPACT_SHARE = 0.25;

    /**
     * @param input the box
     * @param centre its exact centre when known (a masked box around the batch), else {@code null}
     */
    private IntervalPass propagate(Interval input, NDArray centre) {
        return propagate(input, centre, null, null);
    }

    /**
     * @param input the box
     * @param centre its exact centre when known (a masked box around the batch), else {@code null}
     * @param firstColumns the columns where the box's radius may be non-zero at a linear first layer, or
     *     {@code null} to find them from the box
     * @param firstRadius the radius on {@code firstColumns}, {@code [B, K]}, or {@code null}
     */
    private IntervalPass propagate(Interval input, NDArray centre, NDArray firstColumns, NDArray firstRadius) {
        int first = firstLinear;
        List<IntervalStep> steps = new ArrayList<>(layers.size());
        Interval current = input;
        // a box that moves a small window of an image: the radius lives in the window's cone below the flatten
        Window window = flattenAfterConvs > 0 && input.lower().getShape().dimension() == 4 ? Window.small(input.width(), COMPACT_SHARE)
                : null;
        // a box around the batch of a step's shared forward pass: its centre is the batch's activation outside the window
        RecordedForward nominal = window != null && centre != null ? recordedAt(centre) : null;
        // the window's columns of the weight after the flatten, gathered by the forward step for the backward one
        WindowWeights[] gathered = new WindowWeights[1];
        for (int i = 0; i < layers.size(); i++) {
            Layer layer = layers.get(i);
            IntervalStep step;
            NDArray columns = i != first ? null : firstColumns != null ? firstColumns : compactColumns(current.width());
            if (window != null && i < flattenAfterConvs && layer instanceof Conv2dLayer conv) {
                Interval in = current;
                // outside the window the centre is the batch's own activation: a step's forward pass has it
                NDArray nominalOut = nominal != null ? nominal.layerInputs()[i + 1] : null;
                NDArray muOut = nominalOut != null ? null : conv.forward(in.centre());
                Shape outShape = nominalOut != null ? nominalOut.getShape() : muOut.getShape();
                Window out = conv.touched(window, outShape.get(2), outShape.get(3));
                NDArray r = conv.windowRadius(in.radius(), out);
                if (r == null) {
                    window = null;
                    step = layer.intervalStep(current);
                } else {
                    if (nominalOut != null) {
                        muOut = Window.paste(nominalOut, conv.windowForward(in.centre(), out), out);
                    }
                    NDArray rOut = Window.embed(r, out, outShape);
                    step = new IntervalStep(new Interval(muOut.sub(rOut), muOut.add(rOut)),
                            g -> conv.backwardInterval(g, in));
                    window = out;
                }
            } else if (window != null && i == flattenAfterConvs + 1 && layer instanceof LinearLayer linear) {
                // the radius after the flatten is zero outside the window's columns
                Interval in = current;
                NDArray windowColumns = window.flatColumns(steps.get(i - 2).output().lower().getShape(),
                        in.lower().getManager());
                Interval out;
                if (nominal != null) {
                    // outside the window's columns the box is the step's own activation: its product plus the
                    // columns' change
                    Interval onColumns = new Interval(IndexSelect.columns(in.lower(), windowColumns),
                            IndexSelect.columns(in.upper(), windowColumns));
                    NDArray nominalOut = i + 1 < layers.size() ? nominal.layerInputs()[i + 1] : nominal.logits();
                    NDArray weights = linear.weightColumns(windowColumns, onColumns.lower());
                    gathered[0] = new WindowWeights(window, weights, JniUtils.isGradMode());
                    out = linear.forwardIntervalAround(onColumns,
                            IndexSelect.columns(nominal.layerInputs()[i], windowColumns), nominalOut, weights);
                } else {
                    out = linear.forwardInterval(in, windowColumns, null);
                }
                step = new IntervalStep(out, g -> linear.backwardInterval(g, in));
            } else if (columns != null) {
                LinearLayer linear = (LinearLayer) layer;
                Interval in = current;
                NDArray mu = null;
                if (centre != null) {
                    ForwardCache cache = forwardCache;
                    mu = cache == null ? null : cache.reuseFor(centre);
                    if (mu == null) {
                        mu = linear.forward(centre.reshape(centre.getShape().get(0), -1));
                    }
                }
                step = new IntervalStep(linear.forwardInterval(in, columns, mu, firstRadius), g -> linear.backwardInterval(g,
                        in));
            } else {
                step = layer.intervalStep(current);
            }
            steps.add(step);
            current = step.output();
        }
        Interval logits = current;
        return new IntervalPass() {
            @Override
            public Interval logits() {
                return logits;
            }

            @Override
            public Interval inputGradient(Interval logitGradient) {
                requireBackwardIntervals();
                return backward(steps, logitGradient, steps.size() - 1, 0);
            }

            @Override
            public Interval maskedInputGradient(Interval logitGradient, NDArray mask) {
                requireBackwardIntervals();
                Interval g;
                if (first < 0) {
                    Interval windowed = flattenAfterConvs > 0 ? windowedBackward(steps, input, logitGradient, mask,
                            -1, gathered[0])
                            : null;
                    if (windowed != null) {
                        return windowed;
                    }
                    g = backward(steps, logitGradient, steps.size() - 1, 0);
                } else {
                    g = backward(steps, logitGradient, steps.size() - 1, first + 1);
                    NDArray columns = compactColumns(mask.reshape(mask.getShape().get(0), -1));
                    g = columns == null ? steps.get(first).backward().apply(g)
                            : ((LinearLayer) layers.get(first)).backwardInterval(g, columns);
                    g = backward(steps, g, first - 1, 0);
                }
                return new Interval(g.lower().mul(mask), g.upper().mul(mask));
            }

            @Override
            public Interval maskedInputGradient(Interval logitGradient, NDArray mask, FeatureColumns columns) {
                if (columns.indices() != null && first >= 0) {
                    requireBackwardIntervals();
                    Interval g = backward(steps, logitGradient, steps.size() - 1, first + 1);
                    Interval c = ((LinearLayer) layers.get(first)).compactBackwardInterval(g, columns.indices());
                    NDArray m = columns.select(mask);
                    return new Interval(c.lower().mul(m), c.upper().mul(m));
                }
                if (columns.indices() != null && flattenAfterConvs > 0) {
                    requireBackwardIntervals();
                    Interval windowed = windowedBackward(steps, input, logitGradient, mask, columns.count(),
                            gathered[0]);
                    if (windowed != null) {
                        return windowed;
                    }
                }
                return IntervalPass.super.maskedInputGradient(logitGradient, mask, columns);
            }
        };
    }

    /**
     * The backward interval pass of a masked input gradient on a network that starts with convolutions
     * and ReLUs, on windows below the flatten (as {@link #windowed} does for the point gradient): the
     * bounds on the masked positions need the cotangent bounds of each layer only on the positions that
     * reach the mask's bounding box.
     *
     * @param columns with {@code columns >= 0} the bounds on the window's features only, {@code [B, K]} in
     *     {@link Window#flatColumns}'s order, if the window has {@code columns} features (else
     *     {@code null}); with {@code columns < 0} the bounds embedded in the input's shape
     * @param gathered the weight columns the forward pass gathered, or {@code null}
     * @return the masked bounds, or {@code null} when the window does not pay or does not apply
     */
    private Interval windowedBackward(List<IntervalStep> steps, Interval input, Interval logitGradient, NDArray mask,
            long columns, WindowWeights gathered) {
        Shape shape = input.lower().getShape();
        Window box = shape.dimension() == 4 && mask.getShape().equals(shape) ? Window.small(mask, COMPACT_SHARE)
                : null;
        if (box == null || (columns >= 0 && box.area() * shape.get(1) != columns)) {
            return null;
        }
        int flatten = flattenAfterConvs;
        Window[] windows = windows(box, i -> steps.get(i).output().lower().getShape());
        Shape flatIn = steps.get(flatten - 1).output().lower().getShape();
        Window top = windows[flatten];
        Interval g;
        if (flatten + 1 < layers.size() && layers.get(flatten + 1) instanceof LinearLayer linear) {
            // the linear layer after the flatten: bounds on the window's columns only
            g = backward(steps, logitGradient, steps.size() - 1, flatten + 2);
            NDArray weights = gathered == null ? null : gathered.reusableFor(top);
            NDArray topColumns = top.flatColumns(flatIn, g.lower().getManager());
            Interval compact = weights != null ? linear.compactBackwardInterval(g, topColumns, weights)
                    : linear.compactBackwardInterval(g, topColumns);
            g = new Interval(top.unflatten(compact.lower(), flatIn.get(1)), top.unflatten(compact.upper(),
                    flatIn.get(1)));
        } else {
            g = backward(steps, logitGradient, steps.size() - 1, flatten + 1);
            g = new Interval(top.of(g.lower().reshape(flatIn)), top.of(g.upper().reshape(flatIn)));
        }
        for (int i = flatten - 1; i >= 0; i--) {
            Interval in = i == 0 ? input : steps.get(i - 1).output();
            if (layers.get(i) instanceof Conv2dLayer conv) {
                g = conv.windowBackwardInterval(g, windows[i + 1], windows[i]);
                if (g == null) {
                    return null;
                }
            } else {
                Window w = windows[i];
                g = layers.get(i).backwardInterval(g, new Interval(w.of(in.lower()), w.of(in.upper())));
            }
        }
        NDArray m = box.of(mask);
        if (columns >= 0) {
            return new Interval(g.lower().mul(m).reshape(shape.get(0), columns), g.upper().mul(m).reshape(shape.get(0),
                    columns));
        }
        return new Interval(Window.embed(g.lower().mul(m), box, shape), Window.embed(g.upper().mul(m), box, shape));
    }

    /** Applies the backward maps of {@code steps[from]} down to {@code steps[to]} (none if {@code from < to}). */
    private static Interval backward(List<IntervalStep> steps, Interval g, int from, int to) {
        for (int i = from; i >= to; i--) {
            g = steps.get(i).backward().apply(g);
        }
        return g;
    }

    private void requireBackwardIntervals() {
        for (int i = 0; i < layers.size(); i++) {
            String unsupported = firstUnsupported(layers.get(i), Layer::supportsBackwardIntervals);
            if (unsupported != null) {
                throw new UnsupportedCapabilityException("input-gradient interval bounds are not supported"
                        + " through layer " + i + " (" + unsupported + ") of " + architecture + "; "
                        + SUPPORTED + ". Choose a regularizer that needs no gradient bounds (e.g. ibp-ex,"
                        + " rand-r4) or a model without this layer.");
            }
        }
    }

    /** @return the index of a flatten layer preceded by at least one convolution and otherwise ReLUs, or -1 */
    private static int flattenAfterConvs(List<Layer> layers) {
        boolean conv = false;
        for (int i = 0; i < layers.size(); i++) {
            Layer l = layers.get(i);
            if (l instanceof FlattenLayer) {
                return conv ? i : -1;
            }
            if (l instanceof Conv2dLayer) {
                conv = true;
            } else if (!(l instanceof ReluLayer)) {
                return -1;
            }
        }
        return -1;
    }

    /** @return the index of a linear layer preceded only by flatten layers, or -1 */
    private static int firstLinear(List<Layer> layers) {
        for (int i = 0; i < layers.size(); i++) {
            if (layers.get(i) instanceof LinearLayer) {
                return i;
            }
            if (!(layers.get(i) instanceof FlattenLayer)) {
                return -1;
            }
        }
        return -1;
    }

    /**
     * @param values non-negative values, shape {@code [B, F]} (a box's widths, a mask)
     * @return the int64 indices of the columns with a non-zero entry in some row, shape {@code [K]},
     *     if they are at most {@link #COMPACT_SHARE} of the columns; otherwise {@code null} (one host
     *     read of {@code K})
     */
    private static NDArray compactColumns(NDArray values) {
        long features = values.getShape().get(1);
        NDArray columns = values.abs().sum(new int[] {0}).nonzero();
        long k = columns.getShape().get(0);
        return k <= features * COMPACT_SHARE ? columns.reshape(k) : null;
    }

    /**
     * A network whose first layer is a text encoder takes token ids and offers the token-embedding
     * capability; any other network refuses (see {@link Model#tokenEmbeddings()}).
     */
    @Override
    public TokenEmbeddings tokenEmbeddings() {
        if (!layers.isEmpty() && layers.get(0) instanceof TextEncoderLayer text) {
            return new TextNetworkEmbeddings(text, layers.subList(1, layers.size()), gradHelper, () -> nesting > 0);
        }
        return Model.super.tokenEmbeddings();
    }

    @Override
    public List<NDArray> weights() {
        return trainable.stream().filter(Parameter::isWeight).map(Parameter::array).toList();
    }

    /** @return every dropout layer, residual branches included, in a fixed order (their streams go in checkpoints) */
    public List<DropoutLayer> dropoutLayers() {
        List<DropoutLayer> found = new java.util.ArrayList<>();
        collectDropout(layers, found);
        return found;
    }

    private static void collectDropout(List<Layer> list, List<DropoutLayer> found) {
        for (Layer l : list) {
            if (l instanceof DropoutLayer d) {
                found.add(d);
            } else if (l instanceof ResidualLayer r) {
                collectDropout(r.body(), found);
                collectDropout(r.shortcut(), found);
            }
        }
    }

    /**
     * @return the executable layers in order, for code that walks them: explanation methods such
     *     as {@link ContextualDecomposition} and exporters (the layer classes expose their
     *     hyper-parameters and tensors through public getters)
     */
    public List<Layer> layers() {
        return layers;
    }

    /** @return the layers (package-private: for tests that substitute a layer) */
    List<Layer> layersForTest() {
        return layers;
    }

    /**
     * A view sharing this network's manager and helper with other layers (tests substitute a
     * deliberately broken layer to prove the soundness checker catches it). Do not close the view.
     */
    Network withLayersForTest(List<Layer> replacement) {
        return new Network(architecture, replacement, manager, gradHelper, mode);
    }

    /**
     * A view that takes input gradients through {@code torch.autograd.grad(create_graph=True)} even
     * where every layer has an explicit cotangent, and their bounds on whole feature maps (no windows):
     * the reference that tests compare the explicit and windowed passes with. Do not close the view.
     */
    Network referenceForTest() {
        return new Network(architecture, layers, manager, gradHelper, mode, false, false);
    }

    /** @return whether input gradients are taken by an explicit backward pass */
    boolean explicitInputGradients() {
        return explicit;
    }

    @Override
    public void close() {
        manager.close();
    }
}
