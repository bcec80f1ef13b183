package dev.mlx.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/** Child-JVM probe for {@link OfflineEngineStartTest}: starts the engine and multiplies two matrices. */
public final class EngineProbe {
    private EngineProbe() {}

    public static void main(String[] args) {
        try (MlxEngine engine = MlxEngine.start(); NDManager m = engine.manager().newSubManager()) {
            NDArray a = m.create(new float[] {1, 2, 3, 4}, new ai.djl.ndarray.types.Shape(2, 2));
            System.out.println("RESULT " + a.matMul(a).sum().getFloat());
            System.out.println("ENGINE " + engine.engine().getVersion());
        }
    }
}
