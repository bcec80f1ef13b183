package dev.mlx.engine.attribution;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.mlx.api.error.MlxException;

/**
 * The checked arguments of one {@code attribute} call: inputs {@code [B, ...]} of a floating-point
 * type and finite, labels {@code [B]} of an integer type in {@code [0, C)} (the upper end is checked
 * against the logits by {@link AttributionTarget}).
 *
 * @param inputs the inputs
 * @param labels the labels as int64
 * @param examples {@code B}
 * @param largestLabel the largest label, {@code -1} for an empty batch
 */
record AttributionInputs(NDArray inputs, NDArray labels, int examples, long largestLabel) {

    /**
     * @param method the method's name, for messages
     * @param inputs {@code [B, ...exampleShape]}
     * @param labels {@code [B]}
     * @return the checked arguments
     * @throws MlxException (user error) naming the problem
     */
    static AttributionInputs check(String method, NDArray inputs, NDArray labels) {
        Shape shape = inputs.getShape();
        if (shape.dimension() < 2) {
            throw MlxException.userError(method + ": inputs must have shape [B, ...exampleShape], got " + shape
                    + "; add the batch dimension");
        }
        DataType type = inputs.getDataType();
        if (type != DataType.FLOAT32 && type != DataType.FLOAT64) {
            throw MlxException.userError(method + ": inputs must be float32 or float64, got " + type);
        }
        int examples = (int) shape.get(0);
        if (labels.getShape().dimension() != 1 || labels.getShape().get(0) != examples) {
            throw MlxException.userError(method + ": labels must have shape [" + examples + "] (one class per input),"
                    + " got " + labels.getShape());
        }
        if (!labels.getDataType().isInteger()) {
            throw MlxException.userError(method + ": labels must be integer classes, got " + labels.getDataType());
        }
        if (examples > 0 && inputs.isInfinite().logicalOr(inputs.isNaN()).any().getBoolean()) {
            throw MlxException.userError(method + ": the inputs contain NaN or infinite values; clean the data");
        }
        long[] y = labels.toType(DataType.INT64, false).toLongArray();
        long largest = -1;
        for (long v : y) {
            if (v < 0) {
                throw MlxException.userError(method + ": label " + v + " is negative; labels are classes 0..C-1");
            }
            largest = Math.max(largest, v);
        }
        NDArray y64 = labels.getDataType() == DataType.INT64 ? labels : labels.toType(DataType.INT64, false);
        return new AttributionInputs(inputs, y64, examples, largest);
    }
}
