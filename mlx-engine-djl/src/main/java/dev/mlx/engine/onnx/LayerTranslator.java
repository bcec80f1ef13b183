package dev.mlx.engine.onnx;

import dev.mlx.api.model.LayerSpec;

/**
 * Translates one kind of layer into ONNX nodes. Implementations add their nodes and initializers
 * to the {@link GraphBuilder} and return the value holding the layer's output.
 */
@FunctionalInterface
interface LayerTranslator {
    /**
     * @param spec the layer
     * @param path a unique label of the layer in the network, e.g. {@code layer3}, used to name nodes
     * @param input the layer's input value
     * @param graph the graph under construction
     * @return the layer's output value
     */
    TensorValue translate(LayerSpec spec, String path, TensorValue input, GraphBuilder graph);
}
