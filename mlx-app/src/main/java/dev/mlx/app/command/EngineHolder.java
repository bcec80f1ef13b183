package dev.mlx.app.command;

import dev.mlx.engine.DeviceRequest;
import dev.mlx.engine.MlxEngine;

/** Starts the PyTorch engine on first use (commands such as {@code plugins} never need it) and closes it at exit. */
public final class EngineHolder implements AutoCloseable {
    private final DeviceRequest device;
    private MlxEngine engine;

    /** A holder that starts the engine on the default device ({@code auto}). */
    public EngineHolder() {
        this(DeviceRequest.AUTO);
    }

    /** @param device the device the engine starts on */
    public EngineHolder(DeviceRequest device) {
        this.device = device;
    }

    /** @return the engine, started on first call */
    public synchronized MlxEngine get() {
        if (engine == null) {
            engine = MlxEngine.start(device);
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
