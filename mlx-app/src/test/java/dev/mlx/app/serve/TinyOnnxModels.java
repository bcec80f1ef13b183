package dev.mlx.app.serve;

import dev.mlx.engine.onnx.OnnxAttribute;
import dev.mlx.engine.onnx.OnnxGraph;
import dev.mlx.engine.onnx.OnnxInitializer;
import dev.mlx.engine.onnx.OnnxModel;
import dev.mlx.engine.onnx.OnnxNode;
import dev.mlx.engine.onnx.OnnxValueInfo;
import dev.mlx.engine.onnx.OnnxWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Small hand-written ONNX classifiers for the serving tests (no PyTorch involved). */
final class TinyOnnxModels {
    private TinyOnnxModels() {}

    /**
     * Writes {@code logits = flatten(x) W^T + b} for inputs of shape {@code [batch, 1, 2, 2]}.
     *
     * @param file where to write
     * @param weight {@code W}, {@code classes x 4} row-major
     * @param bias {@code b}
     * @return the file
     */
    static Path linear(Path file, float[] weight, float[] bias) {
        int classes = bias.length;
        List<OnnxValueInfo.Dimension> in = List.of(OnnxValueInfo.Dimension.symbolic("batch"),
                OnnxValueInfo.Dimension.of(1), OnnxValueInfo.Dimension.of(2), OnnxValueInfo.Dimension.of(2));
        OnnxGraph graph = new OnnxGraph("tiny",
                List.of(new OnnxNode("flatten", "Flatten", List.of("input"), List.of("flat"),
                                List.of(new OnnxAttribute.Int("axis", 1))),
                        new OnnxNode("gemm", "Gemm", List.of("flat", "w", "b"), List.of("logits"),
                                List.of(new OnnxAttribute.Int("transB", 1)))),
                List.of(new OnnxInitializer("w", new long[] {classes, 4}, weight),
                        new OnnxInitializer("b", new long[] {classes}, bias)),
                List.of(new OnnxValueInfo("input", in)),
                List.of(new OnnxValueInfo("logits", List.of(OnnxValueInfo.Dimension.symbolic("batch"),
                        OnnxValueInfo.Dimension.of(classes)))));
        OnnxWriter.write(new OnnxModel(OnnxModel.IR_VERSION, OnnxModel.OPSET_VERSION, "test", "0", graph, Map.of()),
                file);
        return file;
    }

    /** Class {@code c} of 3 scores {@code x[c]} (feature c of the four), the fourth feature is ignored. */
    static Path pickFeature(Path file) {
        return linear(file, new float[] {1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0}, new float[] {0, 0, 0});
    }
}
