package dev.mlx.engine.nn;

import dev.mlx.api.train.Interval;
import java.util.function.UnaryOperator;

/**
 * One layer's part of an interval pass: the output interval of a forward interval step and the
 * function that maps an interval over the output cotangent to one over the input cotangent
 * ({@code J^T g}), which may use anything the forward step computed (for a {@link ResidualLayer},
 * the intervals inside both branches).
 *
 * @param output the interval over the layer's outputs
 * @param backward the backward interval map of this step
 */
public record IntervalStep(Interval output, UnaryOperator<Interval> backward) {}
