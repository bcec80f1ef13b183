package dev.mlx.engine.onnx;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * An ONNX model ({@code ModelProto}): the graph, the IR version and operator set it targets
 * (default domain only), who produced it, and free-form metadata ({@code metadata_props}) that
 * records the model's provenance.
 *
 * @param irVersion the ONNX IR version ({@code ir_version})
 * @param opsetVersion the version of the default operator set ({@code opset_import})
 * @param producerName the producing tool
 * @param producerVersion its version
 * @param graph the graph
 * @param metadata key-value provenance, in insertion order
 */
public record OnnxModel(long irVersion, long opsetVersion, String producerName, String producerVersion,
        OnnxGraph graph, Map<String, String> metadata) {
    /** IR version 8 (ONNX 1.10 to 1.12), the version that goes with operator set 17. */
    public static final long IR_VERSION = 8;
    /** Operator set 17 (ONNX 1.12). */
    public static final long OPSET_VERSION = 17;

    public OnnxModel {
        Objects.requireNonNull(producerName, "producerName");
        Objects.requireNonNull(producerVersion, "producerVersion");
        Objects.requireNonNull(graph, "graph");
        metadata = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    }
}
