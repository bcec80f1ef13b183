package dev.mlx.api.train;

import ai.djl.ndarray.NDArray;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * The view of a network that a {@link Regularizer} gets: a differentiable forward function plus
 * the capabilities the engine offers for it. Implemented by the engine.
 *
 * <p>Every result is on the manager of the input array and is differentiable with respect to
 * the parameters while a training step is collecting gradients.
 */
public interface Model {
    /**
     * @param inputs shape {@code [B, ...exampleShape]}
     * @return the logits, shape {@code [B, C]}
     */
    NDArray logits(NDArray inputs);

    /**
     * Computes {@code d/dx sum(objective(logits(x)))} such that the result is itself
     * differentiable with respect to the parameters (the "create_graph" input gradient used by
     * RRR-style penalties). The objective may depend on the logits in any differentiable way,
     * e.g. the per-sample cross-entropy.
     *
     * @param inputs the inputs; not modified
     * @param objective maps the logits {@code [B, C]} to any tensor whose sum is differentiated
     * @return the logits and the input gradient
     */
    InputGradient inputGradient(NDArray inputs, UnaryOperator<NDArray> objective);

    /**
     * {@link #inputGradient} where only the masked features are read: the gradient is exact
     * wherever {@code mask} is non-zero and zero elsewhere (the caller multiplies it by the mask, as
     * RRR and the R4 family do). A network whose first layer is linear computes the gradient with
     * respect to the masked features only when they are few (Decoy-MNIST's patch: 16 of 784), which
     * saves most of the first layer's input-gradient work; any other model computes the full
     * gradient and zeroes the rest.
     *
     * @param inputs the inputs; not modified
     * @param mask the features that will be read, same shape as {@code inputs} (non-zero = read)
     * @param objective maps the logits {@code [B, C]} to any tensor whose sum is differentiated
     * @return the logits and the input gradient, zero where the mask is
     */
    default InputGradient maskedInputGradient(NDArray inputs, NDArray mask, UnaryOperator<NDArray> objective) {
        InputGradient g = inputGradient(inputs, objective);
        return new InputGradient(g.logits(), g.gradient().mul(mask.neq(0).toType(g.gradient().getDataType(), false)));
    }

    /**
     * {@link #maskedInputGradient(NDArray, NDArray, UnaryOperator)} for {@code copies} blocks of
     * {@code B} inputs that are equal to each other wherever the mask is zero (noisy copies of a
     * batch that differ only on its masked features, as Rand-R4's): a network whose first layer is
     * linear then multiplies the unmasked features by its weights once instead of once per copy.
     * The caller guarantees the equality; the result is otherwise wrong.
     *
     * @param inputs {@code copies} blocks of {@code B} examples, shape {@code [copies * B, ...example]}
     * @param mask the mask of one block, shape {@code [B, ...example]}, the same for every block
     * @param copies the number of blocks, {@code >= 1}
     * @param objective maps the logits {@code [copies * B, C]} to any tensor whose sum is differentiated
     * @return the logits and the input gradient, zero where the mask is
     */
    default InputGradient maskedInputGradient(NDArray inputs, NDArray mask, int copies,
            UnaryOperator<NDArray> objective) {
        return maskedInputGradient(inputs, stackedMask(mask, copies), objective);
    }

    /**
     * The columns a masked input gradient of this batch is computed on ({@link FeatureColumns}): at
     * least every flattened feature where {@code mask} is non-zero for some example. A network whose
     * first layer is linear (or whose mask fits a small window of an image) returns those features
     * only, when they are few; by default every feature.
     *
     * @param mask the batch's mask, shape {@code [B, ...example]}
     * @return the columns
     */
    default FeatureColumns maskedColumns(NDArray mask) {
        return FeatureColumns.all(mask);
    }

    /**
     * {@link #maskedInputGradient(NDArray, NDArray, UnaryOperator)} on {@code columns} only: the
     * gradient is {@code columns.select(maskedInputGradient(inputs, mask, objective).gradient())},
     * shape {@code [B, K]}, zero where the mask is. What a penalty that sums over features needs,
     * without the zeros of every other feature.
     *
     * @param inputs the inputs; not modified
     * @param mask the features that will be read, same shape as {@code inputs}
     * @param columns {@link #maskedColumns} of {@code mask}
     * @param objective maps the logits {@code [B, C]} to any tensor whose sum is differentiated
     * @return the logits and the input gradient on the columns, {@code [B, K]}
     */
    default InputGradient maskedInputGradient(NDArray inputs, NDArray mask, FeatureColumns columns,
            UnaryOperator<NDArray> objective) {
        InputGradient g = maskedInputGradient(inputs, mask, objective);
        return new InputGradient(g.logits(), columns.select(g.gradient()));
    }

    /**
     * {@link #maskedInputGradient(NDArray, NDArray, int, UnaryOperator)} on {@code columns} only, as
     * {@link #maskedInputGradient(NDArray, NDArray, FeatureColumns, UnaryOperator)}.
     *
     * @param inputs {@code copies} blocks of {@code B} examples, equal to each other where the mask is zero
     * @param mask the mask of one block, shape {@code [B, ...example]}
     * @param columns {@link #maskedColumns} of {@code mask}
     * @param copies the number of blocks, {@code >= 1}
     * @param objective maps the logits {@code [copies * B, C]} to any tensor whose sum is differentiated
     * @return the logits and the input gradient on the columns, {@code [copies * B, K]}
     */
    default InputGradient maskedInputGradient(NDArray inputs, NDArray mask, FeatureColumns columns, int copies,
            UnaryOperator<NDArray> objective) {
        InputGradient g = maskedInputGradient(inputs, mask, copies, objective);
        return new InputGradient(g.logits(), columns.select(g.gradient()));
    }

    /**
     * The batch {@code base} with the values on the mask's columns free to move ({@link MaskedInputs}).
     * By default each point is written into a copy of the base and
     * {@link #maskedInputGradient(NDArray, NDArray, FeatureColumns, UnaryOperator)} runs on it.
     *
     * @param base the inputs, shape {@code [B, ...example]}
     * @param mask the mask, the shape of {@code base}
     * @param columns {@link #maskedColumns} of {@code mask}
     * @return the view
     */
    default MaskedInputs maskedInputs(NDArray base, NDArray mask, FeatureColumns columns) {
        return new MaskedInputs() {
            @Override
            public NDArray columnValues() {
                return columns.select(base);
            }

            @Override
            public InputGradient maskedInputGradient(NDArray values, UnaryOperator<NDArray> objective) {
                return Model.this.maskedInputGradient(columns.replace(base, values), mask, columns, objective);
            }
        };
    }

    /**
     * @param mask a batch's mask, shape {@code [B, ...]}
     * @param copies the number of copies of the batch stacked along axis 0
     * @return the mask of the stacked copies, {@code [copies * B, ...]} (row {@code s * B + n} is example {@code n}'s)
     */
    static NDArray stackedMask(NDArray mask, int copies) {
        long[] repeats = new long[mask.getShape().dimension()];
        java.util.Arrays.fill(repeats, 1);
        repeats[0] = copies;
        return mask.tile(repeats);
    }

    /**
     * Computes {@code d/dx sum(function(x))} for any differentiable {@code function} of the inputs,
     * which may itself call {@link #logits} and {@link #inputGradient} on its argument: this is how a
     * regularizer differentiates a function of an input gradient with respect to the input (for
     * example the ascent direction of an attack on explanations, {@code grad_x ||grad_x L(x) - g0||^2}).
     * The result is differentiable with respect to the parameters (create_graph).
     *
     * @param inputs the point {@code x}; not modified
     * @param function maps the inputs (as given to it) to any tensor whose sum is differentiated
     * @return the gradient, shape of {@code inputs}
     */
    NDArray gradient(NDArray inputs, UnaryOperator<NDArray> function);

    /**
     * {@code d/dx sum(function(x))} as {@link #gradient}, but as data: not differentiable with respect
     * to the parameters (no create_graph), for what a regularizer uses as a constant, such as an attack's
     * sign step. Engines may compute it more cheaply; by default {@code gradient(inputs, function)} detached.
     *
     * @param inputs the point {@code x}; not modified
     * @param function maps the inputs (as given to it) to any tensor whose sum is differentiated
     * @return the gradient, shape of {@code inputs}, detached from every graph
     */
    default NDArray detachedGradient(NDArray inputs, UnaryOperator<NDArray> function) {
        return gradient(inputs, function).stopGradient();
    }

    /**
     * @return the interval-bound capability
     * @throws dev.mlx.api.error.UnsupportedCapabilityException naming the first layer the bounds do not support
     */
    IntervalBounds intervalBounds();

    /**
     * @return the token-embedding capability of a text model (inputs are token ids)
     * @throws dev.mlx.api.error.UnsupportedCapabilityException for a model with continuous inputs
     */
    default TokenEmbeddings tokenEmbeddings() {
        throw new dev.mlx.api.error.UnsupportedCapabilityException("this model takes continuous inputs, not token ids;"
                + " token-embedding regularizers need a text model (e.g. --model minilm)");
    }

    /** @return the weight tensors (matrices and kernels, no biases), for L2 terms */
    List<NDArray> weights();
}
