/**
 * {@code mlx sweep}: a sweep file ({@link dev.mlx.app.sweep.SweepFileReader}) expands into trials
 * ({@link dev.mlx.app.sweep.SweepPlan}), which run on an executor ({@link dev.mlx.app.exec}); per
 * method the best setting on the validation split is selected ({@link dev.mlx.app.sweep.MethodSelection})
 * and its test accuracy reported as mean ± std over seeds ({@code SweepReport}).
 */
package dev.mlx.app.sweep;
