package dev.mlx.engine.onnx;

import java.util.List;
import java.util.Objects;

/**
 * A graph input or output ({@code ValueInfoProto}): a float32 tensor with a shape whose
 * dimensions are fixed numbers or symbols (the dynamic batch dimension).
 *
 * @param name the value name
 * @param dims the dimensions
 */
public record OnnxValueInfo(String name, List<Dimension> dims) {
    public OnnxValueInfo {
        Objects.requireNonNull(name, "name");
        dims = List.copyOf(dims);
    }

    /**
     * One dimension ({@code TensorShapeProto.Dimension}): exactly one of a fixed size or a symbol.
     *
     * @param value the fixed size, or -1 for a symbolic dimension
     * @param symbol the symbol (e.g. {@code batch}), or {@code null} for a fixed size
     */
    public record Dimension(long value, String symbol) {
        public Dimension {
            if ((symbol == null) == (value < 0)) {
                throw new IllegalArgumentException("a dimension is a size >= 0 or a symbol, got " + value + " / "
                        + symbol);
            }
        }

        /**
         * @param value the size
         * @return a fixed dimension
         */
        public static Dimension of(long value) {
            return new Dimension(value, null);
        }

        /**
         * @param symbol the symbol
         * @return a symbolic (dynamic) dimension
         */
        public static Dimension symbolic(String symbol) {
            return new Dimension(-1, symbol);
        }

        /** @return whether the dimension is symbolic */
        public boolean isSymbolic() {
            return symbol != null;
        }
    }
}
