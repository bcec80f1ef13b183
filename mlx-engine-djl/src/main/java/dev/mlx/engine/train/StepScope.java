package dev.mlx.engine.train;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import dev.mlx.engine.nn.Network;

/**
 * What one training step of {@link Trainer} runs inside, opened in this order and closed in the
 * reverse one: an {@link NDScope}, which frees every array created during the step on any manager
 * (arrays derived from the parameters live on the network's manager); a batch sub-manager for the
 * step's own arrays ({@link #manager()}); and the network's training mode
 * ({@link Network#trainingMode()}: dropout on, batch statistics for {@code train} batch norms), which
 * closing restores.
 */
final class StepScope implements AutoCloseable {
    private final NDScope scope;
    private final NDManager manager;
    private final Network.TrainingScope mode;

    private StepScope(NDScope scope, NDManager manager, Network.TrainingScope mode) {
        this.scope = scope;
        this.manager = manager;
        this.mode = mode;
    }

    /**
     * @param network the network trained (switched to training mode until {@link #close()})
     * @param parent the manager the batch sub-manager is created on
     * @return the open scope of one step
     */
    static StepScope open(Network network, NDManager parent) {
        NDScope scope = new NDScope();
        NDManager manager = null;
        try {
            manager = parent.newSubManager();
            return new StepScope(scope, manager, network.trainingMode());
        } catch (RuntimeException | Error e) {
            if (manager != null) {
                manager.close();
            }
            scope.close();
            throw e;
        }
    }

    /** @return the step's batch sub-manager */
    NDManager manager() {
        return manager;
    }

    /** Restores the network's mode, frees the batch sub-manager, then every other array of the step. */
    @Override
    public void close() {
        try {
            mode.close();
        } finally {
            try {
                manager.close();
            } finally {
                scope.close();
            }
        }
    }
}
