package dev.mlx.engine.nn;

/**
 * Whether a {@link Network} is inside a training step (PyTorch's {@code module.train()}) or not
 * ({@code module.eval()}), read by the layers whose behaviour depends on it: {@link DropoutLayer}
 * drops only while training and {@link BatchNorm2dLayer} in {@code train} mode normalises with
 * batch statistics only while training. A network starts outside training; the training loop
 * switches it on for the duration of each step through {@link Network#trainingMode()}. One per
 * network, shared by its layers; networks are used by one thread at a time.
 */
public final class NetworkMode {
    private boolean training;

    /** @return whether a training step is in progress */
    public boolean training() {
        return training;
    }

    void set(boolean value) {
        training = value;
    }
}
