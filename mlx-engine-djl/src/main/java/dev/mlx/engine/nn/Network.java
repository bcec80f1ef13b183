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
import dev.mlx.engine.autograd.TorchScriptGradHelper;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * A feed-forward network built from an {@link Architecture}: the engine's implementation of the
 * {@link Model} a regularizer sees. Owns its parameters through its own {@link NDManager};
 * {@link #close()} frees them.
 */
public final class Network implements Model, AutoCloseable {
    private final Architecture architecture;
    private final List<Layer> layers;
    private final List<Parameter> parameters;
    private final NDManager manager;
    private final TorchScriptGradHelper gradHelper;
    /** Depth of {@link #gradient} calls in progress (networks are used by one thread at a time). */
    private int nesting;

    Network(Architecture architecture, List<Layer> layers, NDManager manager, TorchScriptGradHelper gradHelper) {
        this.architecture = architecture;
        this.layers = List.copyOf(layers);
        this.manager = manager;
        this.gradHelper = gradHelper;
        List<Parameter> ps = new ArrayList<>();
        layers.forEach(l -> ps.addAll(l.parameters()));
        this.parameters = List.copyOf(ps);
    }

    /** @return the architecture this network was built from */
    public Architecture architecture() {
        return architecture;
    }

    /** @return the trainable parameters in layer order */
    public List<Parameter> parameters() {
        return parameters;
    }

    /** @return the manager owning the parameters */
    public NDManager manager() {
        return manager;
    }

    /** @return the total number of scalar parameters */
    public long parameterCount() {
        return parameters.stream().mapToLong(p -> p.array().size()).sum();
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
            Layer layer = layers.get(i);
            if (!layer.supportsIntervals()) {
                throw new UnsupportedCapabilityException("interval bounds are not supported through layer " + i
                        + " (" + layer.describe() + ") of " + architecture
                        + "; supported layer types: Linear, ReLU, Flatten, Conv2d. Choose a regularizer that needs no"
                        + " bounds (e.g. rrr) or a model without this layer.");
            }
        }
        return this::propagate;
    }

    private IntervalPass propagate(Interval input) {
        List<Interval> inputs = new ArrayList<>(layers.size());
        Interval current = input;
        for (Layer layer : layers) {
            inputs.add(current);
            current = layer.forwardInterval(current);
        }
        Interval logits = current;
        return new IntervalPass() {
            @Override
            public Interval logits() {
                return logits;
            }

            @Override
            public Interval inputGradient(Interval logitGradient) {
                Interval g = logitGradient;
                for (int i = layers.size() - 1; i >= 0; i--) {
                    g = layers.get(i).backwardInterval(g, inputs.get(i));
                }
                return g;
            }
        };
    }

    @Override
    public List<NDArray> weights() {
        return parameters.stream().filter(Parameter::isWeight).map(Parameter::array).toList();
    }

    /**
     * @return the executable layers in order (package-private: for engine-internal explanation
     *     methods that walk the layers, such as {@link ContextualDecomposition})
     */
    List<Layer> layers() {
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
        return new Network(architecture, replacement, manager, gradHelper);
    }

    @Override
    public void close() {
        manager.close();
    }
}
