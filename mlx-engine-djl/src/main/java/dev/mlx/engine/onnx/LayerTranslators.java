package dev.mlx.engine.onnx;

import dev.mlx.api.error.UnsupportedCapabilityException;
import dev.mlx.api.model.LayerSpec;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The ONNX translation of each layer type (operator set 17), matching the engine's forward pass
 * at inference:
 *
 * <pre>
 * Flatten            Flatten(axis=1)                     [batch, d1, d2, ...] -> [batch, d1*d2*...]
 * Linear(in, out)    Gemm(x, W, b, transB=1)             y = x W^T + b, W of shape [out, in]
 * ReLU               Relu
 * Conv2d(c, o, k, s, p)  Conv(x, W, b, kernel_shape=[k,k], strides=[s,s], pads=[p,p,p,p],
 *                         dilations=[1,1], group=1)      W of shape [o, c, k, k]
 * </pre>
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
        long[] in = x.shape();
        if (in.length != 3 || in[0] != spec.inChannels()) {
            throw new UnsupportedCapabilityException("ONNX export: layer " + path + " (" + spec.describe()
                    + ") receives inputs of shape " + x.describe() + "; Conv needs [batch, " + spec.inChannels()
                    + ", height, width]");
        }
        long k = spec.kernel();
        long s = spec.stride();
        long p = spec.padding();
        long[] out = {spec.outChannels(), slide(in[1], k, s, p), slide(in[2], k, s, p)};
        String w = g.parameter(path, "weight", spec.outChannels(), spec.inChannels(), k, k);
        String b = g.parameter(path, "bias", spec.outChannels());
        return g.node(path, "Conv", List.of(x.name(), w, b), List.of(
                OnnxAttribute.Ints.of("kernel_shape", k, k),
                OnnxAttribute.Ints.of("strides", s, s),
                OnnxAttribute.Ints.of("pads", p, p, p, p),
                OnnxAttribute.Ints.of("dilations", 1, 1),
                new OnnxAttribute.Int("group", 1)), out);
    }

    /** @return the output size of a sliding window: {@code floor((n + 2p - k) / s) + 1} */
    static long slide(long n, long kernel, long stride, long padding) {
        return Math.floorDiv(n + 2 * padding - kernel, stride) + 1;
    }
}
