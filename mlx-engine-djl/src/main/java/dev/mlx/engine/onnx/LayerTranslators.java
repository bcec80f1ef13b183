package dev.mlx.engine.onnx;

import dev.mlx.api.error.UnsupportedCapabilityException;
import dev.mlx.api.model.LayerSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The ONNX translation of each layer type (operator set 17), matching the engine's forward pass
 * outside training steps (PyTorch's {@code module.eval()}):
 *
 * <pre>
 * Flatten                 Flatten(axis=1)                  [batch, d1, d2, ...] -> [batch, d1*d2*...]
 * Linear(in, out)         Gemm(x, W, b, transB=1)          y = x W^T + b, W of shape [out, in]
 * ReLU                    Relu
 * Conv2d(c, o, k, s, p)   Conv(x, W[, b], kernel_shape=[k,k], strides=[s,s], pads=[p,p,p,p],
 *                              dilations=[1,1], group=1)   W of shape [o, c, k, k]; no b without bias
 * BatchNorm2d(C, eps)     BatchNormalization(x, gamma, beta, running_mean, running_var,
 *                              epsilon=eps, momentum=1-m)  inference form with the running
 *                         statistics, in both modes (num_batches_tracked is not exported; ONNX's
 *                         momentum weighs the old value, PyTorch's m the new one)
 * MaxPool2d(k, s, p)      MaxPool(kernel_shape=[k,k], strides=[s,s], pads=[p,p,p,p], ceil_mode=0)
 * GlobalAvgPool2d         GlobalAveragePool                [batch, C, H, W] -> [batch, C, 1, 1]
 * Dropout(p)              Identity                         (dropout is the identity at inference)
 * Residual(body, short)   body(x), shortcut(x) (x itself when empty), Add
 * </pre>
 *
 * Per-example output shapes are tracked so that layers receiving an input they cannot take
 * (a Linear after a 4-D tensor, a channel mismatch) fail with the shape named.
 */
final class LayerTranslators {
    private LayerTranslators() {}

    /** @return the translators of every supported layer type */
    static Map<Class<? extends LayerSpec>, LayerTranslator> builtIns() {
        Map<Class<? extends LayerSpec>, LayerTranslator> m = new LinkedHashMap<>();
        m.put(LayerSpec.Flatten.class, (spec, path, x, g) -> flatten(path, x, g));
        m.put(LayerSpec.Linear.class, (spec, path, x, g) -> linear((LayerSpec.Linear) spec, path, x, g));
        m.put(LayerSpec.Relu.class, (spec, path, x, g) -> g.node(path, "Relu", List.of(x.name()), List.of(), x.shape()));
        m.put(LayerSpec.Conv2d.class, (spec, path, x, g) -> conv((LayerSpec.Conv2d) spec, path, x, g));
        m.put(LayerSpec.BatchNorm2d.class, (spec, path, x, g) -> batchNorm((LayerSpec.BatchNorm2d) spec, path, x, g));
        m.put(LayerSpec.MaxPool2d.class, (spec, path, x, g) -> maxPool((LayerSpec.MaxPool2d) spec, path, x, g));
        m.put(LayerSpec.GlobalAvgPool2d.class, (spec, path, x, g) -> globalAveragePool(spec, path, x, g));
        m.put(LayerSpec.Dropout.class,
                (spec, path, x, g) -> g.node(path, "Identity", List.of(x.name()), List.of(), x.shape()));
        m.put(LayerSpec.Residual.class, (spec, path, x, g) -> residual((LayerSpec.Residual) spec, path, x, g));
        return Map.copyOf(m);
    }

    static TensorValue flatten(String path, TensorValue x, GraphBuilder g) {
        long features = Arrays.stream(x.shape()).reduce(1, (a, b) -> a * b);
        return g.node(path, "Flatten", List.of(x.name()), List.of(new OnnxAttribute.Int("axis", 1)),
                new long[] {features});
    }

    static TensorValue linear(LayerSpec.Linear spec, String path, TensorValue x, GraphBuilder g) {
        if (x.rank() != 1 || x.shape()[0] != spec.in()) {
            throw new UnsupportedCapabilityException("ONNX export: layer " + path + " (" + spec.describe()
                    + ") receives inputs of shape " + x.describe() + "; Gemm needs [batch, " + spec.in()
                    + "] (put a Flatten before the Linear layer)");
        }
        String w = g.parameter(path, "weight", spec.out(), spec.in());
        String b = g.parameter(path, "bias", spec.out());
        return g.node(path, "Gemm", List.of(x.name(), w, b), List.of(new OnnxAttribute.Int("transB", 1)),
                new long[] {spec.out()});
    }

    static TensorValue conv(LayerSpec.Conv2d spec, String path, TensorValue x, GraphBuilder g) {
        long[] in = image(spec, path, x, spec.inChannels());
        long k = spec.kernel();
        long s = spec.stride();
        long p = spec.padding();
        long[] out = {spec.outChannels(), slide(in[1], k, s, p), slide(in[2], k, s, p)};
        List<String> inputs = new ArrayList<>(List.of(x.name(),
                g.parameter(path, "weight", spec.outChannels(), spec.inChannels(), k, k)));
        if (spec.bias()) {
            inputs.add(g.parameter(path, "bias", spec.outChannels()));
        }
        return g.node(path, "Conv", inputs, List.of(
                OnnxAttribute.Ints.of("kernel_shape", k, k),
                OnnxAttribute.Ints.of("strides", s, s),
                OnnxAttribute.Ints.of("pads", p, p, p, p),
                OnnxAttribute.Ints.of("dilations", 1, 1),
                new OnnxAttribute.Int("group", 1)), out);
    }

    static TensorValue batchNorm(LayerSpec.BatchNorm2d spec, String path, TensorValue x, GraphBuilder g) {
        image(spec, path, x, spec.channels());
        long c = spec.channels();
        List<String> inputs = List.of(x.name(), g.parameter(path, "weight", c), g.parameter(path, "bias", c),
                g.parameter(path, "running_mean", c), g.parameter(path, "running_var", c));
        g.skipParameter(path, "num_batches_tracked");
        return g.node(path, "BatchNormalization", inputs, List.of(
                new OnnxAttribute.Float("epsilon", (float) spec.eps()),
                new OnnxAttribute.Float("momentum", (float) (1 - spec.momentum()))), x.shape());
    }

    static TensorValue maxPool(LayerSpec.MaxPool2d spec, String path, TensorValue x, GraphBuilder g) {
        long[] in = image(spec, path, x, -1);
        long k = spec.kernel();
        long s = spec.stride();
        long p = spec.padding();
        long[] out = {in[0], slide(in[1], k, s, p), slide(in[2], k, s, p)};
        return g.node(path, "MaxPool", List.of(x.name()), List.of(
                OnnxAttribute.Ints.of("kernel_shape", k, k),
                OnnxAttribute.Ints.of("strides", s, s),
                OnnxAttribute.Ints.of("pads", p, p, p, p),
                new OnnxAttribute.Int("ceil_mode", 0)), out);
    }

    static TensorValue globalAveragePool(LayerSpec spec, String path, TensorValue x, GraphBuilder g) {
        long[] in = image(spec, path, x, -1);
        return g.node(path, "GlobalAveragePool", List.of(x.name()), List.of(), new long[] {in[0], 1, 1});
    }

    static TensorValue residual(LayerSpec.Residual spec, String path, TensorValue x, GraphBuilder g) {
        TensorValue body = g.translate(spec.body(), path + ".body.", x);
        TensorValue shortcut = g.translate(spec.shortcut(), path + ".shortcut.", x);
        if (!Arrays.equals(body.shape(), shortcut.shape())) {
            throw new UnsupportedCapabilityException("ONNX export: residual block " + path + " adds a body output of"
                    + " shape " + body.describe() + " to a shortcut output of shape " + shortcut.describe()
                    + "; both branches must produce one shape");
        }
        return g.node(path, "Add", List.of(body.name(), shortcut.name()), List.of(), body.shape());
    }

    /**
     * @param channels the required channel count, or -1 for any
     * @return the input's per-example shape {@code [C, H, W]}, after checking it is one
     */
    private static long[] image(LayerSpec spec, String path, TensorValue x, long channels) {
        long[] in = x.shape();
        if (in.length != 3 || (channels >= 0 && in[0] != channels)) {
            throw new UnsupportedCapabilityException("ONNX export: layer " + path + " (" + spec.describe()
                    + ") receives inputs of shape " + x.describe() + "; it needs [batch, "
                    + (channels >= 0 ? channels : "channels") + ", height, width]");
        }
        return in;
    }

    /** @return the output size of a sliding window: {@code floor((n + 2p - k) / s) + 1} */
    static long slide(long n, long kernel, long stride, long padding) {
        return Math.floorDiv(n + 2 * padding - kernel, stride) + 1;
    }
}
