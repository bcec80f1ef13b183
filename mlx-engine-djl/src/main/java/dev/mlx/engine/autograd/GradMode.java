package dev.mlx.engine.autograd;

import ai.djl.pytorch.jni.JniUtils;
import java.util.function.Supplier;

/** Runs work with libtorch's autograd recording on, then restores the mode the caller had. */
public final class GradMode {
    private GradMode() {}

    /**
     * @param work what to compute with gradients recorded
     * @param <T> its result
     * @return {@code work}'s result; the grad mode is as before, also when {@code work} throws
     */
    public static <T> T on(Supplier<T> work) {
        boolean wasGrad = JniUtils.isGradMode();
        if (!wasGrad) {
            JniUtils.setGradMode(true);
        }
        try {
            return work.get();
        } finally {
            if (!wasGrad) {
                JniUtils.setGradMode(false);
            }
        }
    }
}
