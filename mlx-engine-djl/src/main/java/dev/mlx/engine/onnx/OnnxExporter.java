package dev.mlx.engine.onnx;

import dev.mlx.api.error.MlxException;
import dev.mlx.api.model.LayerSpec;
import dev.mlx.engine.nn.Network;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Exports a {@link Network} to ONNX: walks the layers of its architecture, translates each into
 * ONNX operators (the mapping is in {@link LayerTranslators}) and stores the parameters as float32
 * initializers named like the parameters ({@code layer1.weight}, ...). The model computes the
 * logits the network computes outside training steps:
 *
 * <pre>
 * input  "input"   float32 [batch, exampleShape...]   (batch is the symbolic dimension "batch")
 * output "logits"  float32 [batch, classes]
 * </pre>
 *
 * ONNX IR version {@value OnnxModel#IR_VERSION}, operator set {@value OnnxModel#OPSET_VERSION}.
 * A layer type without a translation ends the export with an
 * {@link dev.mlx.api.error.UnsupportedCapabilityException} naming the layer.
 */
public final class OnnxExporter {
    /** Name of the graph input. */
    public static final String INPUT = "input";
    /** Name of the graph output. */
    public static final String OUTPUT = "logits";
    /** Name of the dynamic batch dimension. */
    public static final String BATCH = "batch";
    /** The producer name recorded in exported models. */
    public static final String PRODUCER = "mlx";

    private final Map<Class<? extends LayerSpec>, LayerTranslator> translators;

    /** An exporter for every supported layer type. */
    public OnnxExporter() {
        this(LayerTranslators.builtIns());
    }

    /** @param translators the supported layer types (tests restrict them) */
    OnnxExporter(Map<Class<? extends LayerSpec>, LayerTranslator> translators) {
        this.translators = Map.copyOf(translators);
    }

    /**
     * @param network the network (its parameters are read, not changed)
     * @param exampleShape the shape of one input example, e.g. {@code [1, 28, 28]}
     * @param producerVersion the mlx version recorded as the producer version
     * @param metadata provenance stored in the model's {@code metadata_props} (e.g. the run folder)
     * @return the ONNX model
     * @throws dev.mlx.api.error.UnsupportedCapabilityException naming the first layer that cannot be exported
     */
    public OnnxModel export(Network network, int[] exampleShape, String producerVersion, Map<String, String> metadata) {
        if (exampleShape.length == 0 || Arrays.stream(exampleShape).anyMatch(d -> d <= 0)) {
            throw MlxException.userError("ONNX export: invalid example shape " + Arrays.toString(exampleShape)
                    + "; every dimension must be positive");
        }
        long[] shape = Arrays.stream(exampleShape).asLongStream().toArray();
        GraphBuilder graph = new GraphBuilder(translators, new ParameterCursor(network.parameters()));
        TensorValue input = new TensorValue(INPUT, shape);
        TensorValue last = graph.translate(network.architecture().layers(), "layer", input);
        if (last.rank() != 1) {
            throw MlxException.userError("ONNX export: the model ends in outputs of shape " + last.describe()
                    + "; it must end in [batch, classes] logits");
        }
        TensorValue logits = graph.nameOutput(last, OUTPUT);
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("mlx.architecture", network.architecture().toString());
        meta.put("mlx.exampleShape", Arrays.toString(exampleShape));
        meta.putAll(metadata);
        OnnxGraph onnx = new OnnxGraph("mlx", graph.nodes(), graph.initializers(),
                List.of(valueInfo(INPUT, shape)), List.of(valueInfo(OUTPUT, logits.shape())));
        return new OnnxModel(OnnxModel.IR_VERSION, OnnxModel.OPSET_VERSION, PRODUCER, producerVersion, onnx, meta);
    }

    private static OnnxValueInfo valueInfo(String name, long[] shape) {
        List<OnnxValueInfo.Dimension> dims = new ArrayList<>();
        dims.add(OnnxValueInfo.Dimension.symbolic(BATCH));
        for (long d : shape) {
            dims.add(OnnxValueInfo.Dimension.of(d));
        }
        return new OnnxValueInfo(name, dims);
    }
}
