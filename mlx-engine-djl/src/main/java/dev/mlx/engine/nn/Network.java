package dev.mlx.engine.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import dev.mlx.api.error.UnsupportedCapabilityException;
import dev.mlx.api.model.Architecture;
import dev.mlx.api.train.InputGradient;
import dev.mlx.api.train.Interval;
import dev.mlx.api.train.IntervalBounds;
import dev.mlx.api.train.IntervalPass;
import dev.mlx.api.train.Model;
import dev.mlx.api.train.TokenEmbeddings;
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
    /** Depth of {@link #gradient} calls in progress (networks are used by one thread at a time). */
    private int nesting;

    Network(Architecture architecture, List<Layer> layers, NDManager manager, TorchScriptGradHelper gradHelper,
            NetworkMode mode) {
        this.architecture = architecture;
        this.layers = List.copyOf(layers);
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
        NDArray x = inputs;
        for (Layer layer : layers) {
            x = layer.forward(x);
        }
        return x;
    }

    @Override
    public InputGradient inputGradient(NDArray inputs, UnaryOperator<NDArray> objective) {
        boolean wasGrad = JniUtils.isGradMode();
        if (!wasGrad) {
            JniUtils.setGradMode(true);
        }
        try {
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
        } finally {
            if (!wasGrad) {
                JniUtils.setGradMode(false);
            }
        }
    }

    private InputGradient inputGradientAt(NDArray x, UnaryOperator<NDArray> objective) {
        NDArray logits = logits(x);
        return new InputGradient(logits, gradHelper.gradient(objective.apply(logits), x));
    }

    @Override
    public NDArray gradient(NDArray inputs, UnaryOperator<NDArray> function) {
        boolean wasGrad = JniUtils.isGradMode();
        if (!wasGrad) {
            JniUtils.setGradMode(true);
        }
        nesting++;
        try {
            NDArray leaf = leafCopy(inputs);
            return gradHelper.gradient(function.apply(leaf), leaf);
        } finally {
            nesting--;
            if (!wasGrad) {
                JniUtils.setGradMode(false);
            }
        }
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
        return this::propagate;
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

    private IntervalPass propagate(Interval input) {
        List<IntervalStep> steps = new ArrayList<>(layers.size());
        Interval current = input;
        for (Layer layer : layers) {
            IntervalStep step = layer.intervalStep(current);
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
                for (int i = 0; i < layers.size(); i++) {
                    String unsupported = firstUnsupported(layers.get(i), Layer::supportsBackwardIntervals);
                    if (unsupported != null) {
                        throw new UnsupportedCapabilityException("input-gradient interval bounds are not supported"
                                + " through layer " + i + " (" + unsupported + ") of " + architecture + "; "
                                + SUPPORTED + ". Choose a regularizer that needs no gradient bounds (e.g. ibp-ex,"
                                + " rand-r4) or a model without this layer.");
                    }
                }
                Interval g = logitGradient;
                for (int i = steps.size() - 1; i >= 0; i--) {
                    g = steps.get(i).backward().apply(g);
                }
                return g;
            }
        };
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

    @Override
    public void close() {
        manager.close();
    }
}
