/**
 * Where trials run: one {@link dev.mlx.app.exec.TrialExecutor} interface with a local executor
 * (child processes of this JVM) and a Slurm executor (one job array), shared by {@code mlx sweep}
 * and {@code mlx ablate}. A trial is a folder on disk (definition, log, result), so a batch can be
 * resumed and inspected by hand whichever executor ran it.
 */
package dev.mlx.app.exec;
