package dev.mlx.app.command;

import dev.mlx.engine.MlxEngine;

/** Starts the PyTorch engine on first use (commands such as {@code plugins} never need it) and closes it at exit. */
public final class EngineHolder implements AutoCloseable {
    private MlxEngine engine;

    /** @return the engine, started on first call */
    public synchronized MlxEngine get() {
        if (engine == null) {
            engine = MlxEngine.start();
        }
        return engine;
    }

    @Override
    public synchronized void close() {
        if (engine != null) {
            engine.close();
            engine = null;
        }
    }
}
