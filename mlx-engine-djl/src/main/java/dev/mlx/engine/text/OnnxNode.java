package dev.mlx.engine.text;

import java.util.List;

/**
 * One operator of an ONNX graph ({@code NodeProto}): what the weight mapping needs to recover the
 * names of initializers that an exporter left anonymous (e.g. {@code onnx::MatMul_885} is the
 * second input of the node {@code /encoder/layer.0/attention/self/query/MatMul}).
 *
 * @param name the node name
 * @param opType the operator, e.g. {@code MatMul}
 * @param inputs the input value names
 * @param outputs the output value names
 */
public record OnnxNode(String name, String opType, List<String> inputs, List<String> outputs) {
    public OnnxNode {
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
    }
}
