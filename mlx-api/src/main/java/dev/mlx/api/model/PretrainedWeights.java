package dev.mlx.api.model;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Initial weights for an {@link Architecture}: a PyTorch state dict of a torchvision model saved in
 * the safetensors format (an 8-byte little-endian header length, a JSON header giving each
 * tensor's dtype, shape and byte range, then the raw little-endian data). The engine maps the
 * torchvision tensor names ({@code conv1.weight}, {@code bn1.running_mean},
 * {@code layer1.0.conv1.weight}, ..., {@code fc.weight}) onto the architecture's layers and fails
 * naming the tensor on any missing, unexpected or wrongly shaped one. The final classifier
 * ({@code fc.*}) is re-initialised from the seed when its class count differs from the
 * architecture's.
 *
 * @param file the {@code .safetensors} file
 */
public record PretrainedWeights(Path file) {
    public PretrainedWeights {
        Objects.requireNonNull(file, "file");
    }
}
