package dev.mlx.app.exec;

import java.nio.file.Path;
import java.util.List;

/**
 * Where trials run. A trial is a folder holding its definition ({@code trial.json}); running it
 * means running {@link TrialProcess#command} on that folder, which writes the trial's log and, as
 * its last act, its result file. The caller (a sweep, an ablation) prepares the folders, hands
 * them over and reads the results from disk afterwards: it does not know which executor it got
 * (as submitit's {@code Executor} and Hydra's launcher plugins).
 *
 * <p>Order of use: {@link #check()} before anything is written (a missing cluster is a clear error
 * while nothing exists yet), then {@link #runAll} once.
 */
public interface TrialExecutor {

    /**
     * Checks that this executor can run trials here, before the caller writes anything.
     *
     * @throws dev.mlx.api.error.MlxException (resources) naming what is missing and the fix
     */
    void check();

    /**
     * Runs every trial folder and returns when each has ended (succeeded, failed, or was lost).
     * Reports each start and end to the listener, from any thread.
     *
     * @param trialDirs the trials' folders, each holding its definition
     * @param listener told when a trial starts running and when it ends
     * @throws dev.mlx.api.error.MlxException (resources) when the executor itself fails (the
     *     cluster stops answering); trials already finished keep their results
     */
    void runAll(List<Path> trialDirs, TrialListener listener);

    /** @return how many trials run at once at most, for the ETA */
    int parallelism();

    /** @return one line for the user: the executor and its settings */
    String describe();
}
