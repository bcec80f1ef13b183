package dev.mlx.engine.onnx;

import java.util.List;

/**
 * A named attribute of an {@link OnnxNode} ({@code AttributeProto} in {@code onnx.proto}): an
 * integer ({@code INT}, field {@code i}), a list of integers ({@code INTS}, field {@code ints}) or
 * a float ({@code FLOAT}, field {@code f}).
 */
public sealed interface OnnxAttribute permits OnnxAttribute.Int, OnnxAttribute.Ints, OnnxAttribute.Float {
    /** @return the attribute name, e.g. {@code transB} */
    String name();

    /**
     * One integer.
     *
     * @param name the attribute name
     * @param value the value
     */
    record Int(String name, long value) implements OnnxAttribute {}

    /**
     * A list of integers.
     *
     * @param name the attribute name
     * @param values the values
     */
    record Ints(String name, List<Long> values) implements OnnxAttribute {
        public Ints {
            values = List.copyOf(values);
        }

        /**
         * @param name the attribute name
         * @param values the values
         * @return the attribute
         */
        public static Ints of(String name, long... values) {
            return new Ints(name, java.util.Arrays.stream(values).boxed().toList());
        }
    }

    /**
     * One 32-bit float.
     *
     * @param name the attribute name
     * @param value the value
     */
    record Float(String name, float value) implements OnnxAttribute {}
}
