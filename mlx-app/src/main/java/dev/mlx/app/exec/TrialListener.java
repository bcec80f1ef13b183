package dev.mlx.app.exec;

import java.nio.file.Path;

/** What a {@link TrialExecutor} reports while it runs trials. Called from any thread. */
public interface TrialListener {

    /**
     * The trial has started running (reported at most once per trial; a trial that ended before
     * the executor saw it run is reported as started just before it is reported ended).
     *
     * @param trialDir the trial's folder
     */
    void started(Path trialDir);

    /**
     * The trial has ended: its process exited, or the executor lost it.
     *
     * @param trialDir the trial's folder
     * @param end how it ended
     */
    void ended(Path trialDir, TrialEnd end);
}
