package dev.mlx.api.train;

import ai.djl.ndarray.NDArray;

/**
 * The "right reason" term of one training step: a scalar added to the task loss.
 *
 * <p><b>Order of use.</b> For every mini-batch the engine (1) opens a batch-scoped
 * {@link ai.djl.ndarray.NDManager} and starts collecting gradients, (2) computes the task loss
 * {@code CE(model.logits(x), y)} (batch mean, single softmax on logits), (3) calls
 * {@link #penalty} once, (4) back-propagates {@code taskLossWeight(ctx) * CE + penalty} to the
 * parameters and (5) takes one optimiser step, then closes the batch manager. The penalty must
 * therefore carry a gradient to the parameters: build it from {@link Model#logits},
 * {@link Model#inputGradient} or {@link Model#intervalBounds()}, never from detached values. A
 * penalty that is constant in the parameters trains nothing and is a defect.
 *
 * <p><b>Gradient accumulation.</b> With {@code fragments > 1} steps (1) to (4) run once per
 * contiguous fragment of the batch, each with its own manager and seed and its loss weighted by
 * its share of the examples, so a penalty that is a mean over examples gets the full-batch
 * gradient; anything computed over the batch (a maximum, a normalisation, a vocabulary) is then
 * computed over the fragment.
 *
 * <p><b>Memory.</b> Create every temporary on {@code context.manager()} (arrays derived from the
 * batch arrays already are); never keep NDArrays across calls.
 *
 * <p><b>Randomness.</b> Draw random numbers only from {@link TrainingContext#seed()} so runs are
 * reproducible.
 */
@FunctionalInterface
public interface Regularizer {

    /**
     * @param model the network being trained
     * @param batch the mini-batch (inputs, labels, masks)
     * @param context the step: epoch, schedule information, seed, batch manager
     * @return a scalar NDArray (shape {@code []}), already multiplied by its weight
     */
    NDArray penalty(Model model, Batch batch, TrainingContext context);

    /**
     * The weight of the task loss in this step, for methods that trade the task loss against
     * their term on a schedule. {@code 1} by default.
     *
     * @param context the step
     * @return a weight {@code >= 0}
     */
    default double taskLossWeight(TrainingContext context) {
        return 1.0;
    }
}
