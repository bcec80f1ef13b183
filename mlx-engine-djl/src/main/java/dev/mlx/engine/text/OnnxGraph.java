package dev.mlx.engine.text;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The parts of an ONNX model that weight loading needs: the graph's initializers and nodes.
 *
 * @param initializers the stored tensors, by name, in file order
 * @param nodes the operators in file order
 */
public record OnnxGraph(Map<String, OnnxTensor> initializers, List<OnnxNode> nodes) {
    public OnnxGraph {
        initializers = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(initializers));
        nodes = List.copyOf(nodes);
    }
}
