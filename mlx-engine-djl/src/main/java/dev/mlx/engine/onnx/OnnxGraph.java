package dev.mlx.engine.onnx;

import java.util.List;
import java.util.Objects;

/**
 * An ONNX computation graph ({@code GraphProto}): nodes in topological order, the weights as
 * initializers, and the graph's inputs and outputs.
 *
 * @param name the graph name
 * @param nodes the nodes, each after the nodes producing its inputs
 * @param initializers the constant tensors
 * @param inputs the graph inputs (not including initializers)
 * @param outputs the graph outputs
 */
public record OnnxGraph(String name, List<OnnxNode> nodes, List<OnnxInitializer> initializers,
        List<OnnxValueInfo> inputs, List<OnnxValueInfo> outputs) {
    public OnnxGraph {
        Objects.requireNonNull(name, "name");
        nodes = List.copyOf(nodes);
        initializers = List.copyOf(initializers);
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
    }
}
