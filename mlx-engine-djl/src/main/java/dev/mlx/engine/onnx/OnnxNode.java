package dev.mlx.engine.onnx;

import java.util.List;
import java.util.Objects;

/**
 * One operator application in an {@link OnnxGraph} ({@code NodeProto}): {@code outputs = opType(inputs)}
 * with the given attributes, in the default ONNX operator domain.
 *
 * @param name a unique node name, e.g. {@code layer3.Gemm}
 * @param opType the ONNX operator, e.g. {@code Gemm}
 * @param inputs the names of the input values (graph inputs, initializers or earlier outputs)
 * @param outputs the names of the values it produces
 * @param attributes the operator's attributes
 */
public record OnnxNode(String name, String opType, List<String> inputs, List<String> outputs,
        List<OnnxAttribute> attributes) {
    public OnnxNode {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(opType, "opType");
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
        attributes = List.copyOf(attributes);
    }

    /**
     * @param output the new name of the single output
     * @return this node writing its one output to {@code output}
     */
    OnnxNode withOutput(String output) {
        if (outputs.size() != 1) {
            throw new IllegalStateException(name + " has " + outputs.size() + " outputs");
        }
        return new OnnxNode(name, opType, inputs, List.of(output), attributes);
    }
}
