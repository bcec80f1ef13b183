package dev.mlx.engine.onnx;

import dev.mlx.api.error.UnsupportedCapabilityException;
import dev.mlx.api.model.LayerSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The graph under construction: nodes in topological order, initializers, the parameter cursor,
 * and the dispatch from a layer specification to its {@link LayerTranslator}. Node {@code p/Op}
 * of layer path {@code p} writes the value of the same name.
 */
final class GraphBuilder {
    private final Map<Class<? extends LayerSpec>, LayerTranslator> translators;
    private final ParameterCursor parameters;
    private final List<OnnxNode> nodes = new ArrayList<>();
    private final List<OnnxInitializer> initializers = new ArrayList<>();

    GraphBuilder(Map<Class<? extends LayerSpec>, LayerTranslator> translators, ParameterCursor parameters) {
        this.translators = translators;
        this.parameters = parameters;
    }

    /**
     * Translates a sequence of layers.
     *
     * @param layers the layers, input first
     * @param prefix the path prefix of the layers: layer {@code i} gets path {@code prefix + i}
     * @param input the input of the first layer
     * @return the output of the last layer ({@code input} if there is none)
     */
    TensorValue translate(List<LayerSpec> layers, String prefix, TensorValue input) {
        TensorValue x = input;
        for (int i = 0; i < layers.size(); i++) {
            LayerSpec spec = layers.get(i);
            LayerTranslator translator = translators.get(spec.getClass());
            String path = prefix + i;
            if (translator == null) {
                throw new UnsupportedCapabilityException("ONNX export does not support layer " + path + " ("
                        + spec.describe() + "); supported layer types: " + supportedTypes()
                        + ". Export a model built from these layers.");
            }
            x = translator.translate(spec, path, x, this);
        }
        return x;
    }

    private String supportedTypes() {
        return String.join(", ", translators.keySet().stream().map(Class::getSimpleName).sorted().toList());
    }

    /**
     * @param layer the layer, for messages
     * @param role the parameter's role
     * @param shape its shape
     * @return the name of the initializer holding the next parameter
     */
    String parameter(String layer, String role, long... shape) {
        OnnxInitializer init = parameters.take(layer, role, shape);
        initializers.add(init);
        return init.name();
    }

    /**
     * Checks and passes over the next parameter, which the graph does not use.
     *
     * @param layer the layer, for messages
     * @param role the parameter's role
     * @param shape its shape
     */
    void skipParameter(String layer, String role, long... shape) {
        parameters.skip(layer, role, shape);
    }

    /**
     * Adds a node {@code path/opType} whose single output has the same name.
     *
     * @param path the layer's path
     * @param opType the ONNX operator
     * @param inputs its input values
     * @param attributes its attributes
     * @param shape the per-example shape of its output
     * @return the output value
     */
    TensorValue node(String path, String opType, List<String> inputs, List<OnnxAttribute> attributes, long[] shape) {
        String name = path + "/" + opType;
        nodes.add(new OnnxNode(name, opType, inputs, List.of(name), attributes));
        return new TensorValue(name, shape);
    }

    /**
     * Renames the output of the last node (which must produce {@code last}) to {@code output}.
     *
     * @param last the value the graph computes
     * @param output the name of the graph output
     * @return the renamed value
     */
    TensorValue nameOutput(TensorValue last, String output) {
        int end = nodes.size() - 1;
        if (end < 0 || !nodes.get(end).outputs().equals(List.of(last.name()))) {
            throw new IllegalStateException("the last node does not produce " + last.name());
        }
        nodes.set(end, nodes.get(end).withOutput(output));
        return new TensorValue(output, last.shape());
    }

    /** @return the nodes so far */
    List<OnnxNode> nodes() {
        return List.copyOf(nodes);
    }

    /** @return the initializers so far, after checking every parameter was used */
    List<OnnxInitializer> initializers() {
        parameters.finish();
        return List.copyOf(initializers);
    }
}
