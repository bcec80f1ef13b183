package dev.mlx.api.error;

/**
 * A model or engine was asked for something it cannot do, for example interval bounds through
 * a layer type the bound propagation does not support. Thrown early, before any training step,
 * with the offending layer or capability named.
 */
public class UnsupportedCapabilityException extends MlxException {
    private static final long serialVersionUID = 1L;

    public UnsupportedCapabilityException(String message) {
        super(ErrorKind.USER, message);
    }
}
