package dev.mlx.api.train;

import ai.djl.ndarray.NDManager;

/**
 * What a regularizer may know about the current step.
 *
 * @param epoch the current epoch, 0-based
 * @param epochs the total number of epochs (for schedules)
 * @param step the global step, 0-based
 * @param numClasses the number of classes
 * @param seed a seed for this step's random draws, derived from the run seed and the step (and the
 *     fragment, with gradient accumulation)
 * @param manager the batch-scoped manager: every temporary must be created on it (it is closed
 *     after the step, freeing the native memory)
 */
public record TrainingContext(int epoch, int epochs, long step, int numClasses, long seed, NDManager manager) {}
