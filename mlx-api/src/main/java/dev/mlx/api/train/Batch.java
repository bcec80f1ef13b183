package dev.mlx.api.train;

import ai.djl.ndarray.NDArray;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * One mini-batch, on the batch's {@link TrainingContext#manager()}: inputs of shape
 * {@code [B, ...exampleShape]} (float32), class labels of shape {@code [B]} (int64) and explanation
 * masks of the inputs' shape (1 = the feature must not matter).
 *
 * <p>The engine builds the masks on first use ({@link #withLazyMasks}), so a step whose
 * regularizer never reads them (ERM) does not gather them.
 */
public final class Batch {
    private final NDArray inputs;
    private final NDArray labels;
    private NDArray masks;
    private Supplier<NDArray> maskSource;

    /**
     * @param inputs inputs of shape {@code [B, ...exampleShape]}, float32
     * @param labels class labels of shape {@code [B]}, int64
     * @param masks explanation masks, same shape as {@code inputs}; 1 = feature must not matter
     */
    public Batch(NDArray inputs, NDArray labels, NDArray masks) {
        this.inputs = Objects.requireNonNull(inputs, "inputs");
        this.labels = Objects.requireNonNull(labels, "labels");
        this.masks = Objects.requireNonNull(masks, "masks");
    }

    private Batch(NDArray inputs, NDArray labels, Supplier<NDArray> maskSource) {
        this.inputs = Objects.requireNonNull(inputs, "inputs");
        this.labels = Objects.requireNonNull(labels, "labels");
        this.maskSource = Objects.requireNonNull(maskSource, "masks");
    }

    /**
     * A batch whose masks are built by {@code masks} the first time {@link #masks()} is called
     * (on the batch's manager, while the batch is in use).
     *
     * @param inputs inputs of shape {@code [B, ...exampleShape]}, float32
     * @param labels class labels of shape {@code [B]}, int64
     * @param masks builds the masks, same shape as {@code inputs}
     * @return the batch
     */
    public static Batch withLazyMasks(NDArray inputs, NDArray labels, Supplier<NDArray> masks) {
        return new Batch(inputs, labels, masks);
    }

    /** @return the inputs, shape {@code [B, ...exampleShape]} */
    public NDArray inputs() {
        return inputs;
    }

    /** @return the class labels, shape {@code [B]} */
    public NDArray labels() {
        return labels;
    }

    /** @return the explanation masks, the inputs' shape (built on first use for a lazy batch) */
    public NDArray masks() {
        if (masks == null) {
            masks = Objects.requireNonNull(maskSource.get(), "the batch's mask source returned null");
            maskSource = null;
        }
        return masks;
    }

    /** @return the number of examples in the batch */
    public long size() {
        return inputs.getShape().get(0);
    }
}
