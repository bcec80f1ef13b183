package dev.mlx.engine.testkit;

import dev.mlx.engine.MlxEngine;

/**
 * One {@link MlxEngine} per test JVM (DJL allows a single gradient collector per process, and the
 * PyTorch engine starts once). Closed by the JVM shutdown hook.
 */
public final class SharedEngine {
    private static MlxEngine engine;

    private SharedEngine() {}

    /** @return the engine, started on first use */
    public static synchronized MlxEngine get() {
        if (engine == null) {
            engine = MlxEngine.start();
            MlxEngine started = engine;
            Runtime.getRuntime().addShutdownHook(new Thread(started::close));
        }
        return engine;
    }
}
