package dev.mlx.engine.nn;

import dev.mlx.api.error.MlxException;
import dev.mlx.api.model.Architecture;
import dev.mlx.api.model.LayerSpec;
import dev.mlx.engine.safetensors.SafetensorsReader;
import dev.mlx.engine.safetensors.SafetensorsTensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Maps a torchvision ResNet state dict (BasicBlock layout: ResNet-18 and ResNet-34) onto the
 * tensors of an {@link Architecture} built as torchvision builds it, and loads it from a
 * safetensors file.
 *
 * <p>The mapping walks the top-level layers in order:
 *
 * <pre>
 * Conv2d before the first residual block      conv1.weight
 * BatchNorm2d before the first residual block  bn1.{weight, bias, running_mean, running_var, num_batches_tracked}
 * Residual block                               layer&lt;s&gt;.&lt;b&gt;: a block with a shortcut (or the very first block)
 *                                              starts stage s + 1 at b = 0, any other continues the stage
 *   body Conv2d / BatchNorm2d, in order        conv1, bn1, conv2, bn2
 *   shortcut layer j                           downsample.&lt;j&gt;
 * Linear after the residual blocks             fc.{weight, bias}
 * </pre>
 *
 * Every tensor of the architecture must be in the file with the same shape and every tensor of the
 * file must be expected; otherwise loading fails with a user error naming the tensor. The one
 * exception is the classifier: when the file's {@code fc.weight} has another number of classes than
 * the architecture, {@code fc.*} is skipped (logged) and the classifier keeps its seeded
 * initialisation (fine-tuning to a new label set).
 */
public final class TorchvisionWeights {
    private static final Logger LOG = LoggerFactory.getLogger(TorchvisionWeights.class);
    private static final String FC = "fc";

    private TorchvisionWeights() {}

    /**
     * Where one torchvision tensor goes.
     *
     * @param name the network's tensor name, e.g. {@code layer4.body.0.weight}
     * @param shape the shape the network expects
     */
    public record Target(String name, long[] shape) {}

    /**
     * @param architecture a torchvision-style ResNet
     * @return the torchvision tensor names in state-dict order, each with its target
     * @throws MlxException (user error) if the architecture does not have the torchvision layout
     */
    public static Map<String, Target> targets(Architecture architecture) {
        Map<String, Target> out = new LinkedHashMap<>();
        int stage = 0;
        int block = -1;
        boolean stem = true;
        List<LayerSpec> layers = architecture.layers();
        for (int i = 0; i < layers.size(); i++) {
            LayerSpec spec = layers.get(i);
            String ours = NetworkFactory.layerPrefix(i);
            if (spec instanceof LayerSpec.Residual r) {
                stem = false;
                if (!r.shortcut().isEmpty() || stage == 0) {
                    stage++;
                    block = 0;
                } else {
                    block++;
                }
                String tv = "layer" + stage + "." + block;
                int conv = 0;
                int bn = 0;
                for (int j = 0; j < r.body().size(); j++) {
                    LayerSpec inner = r.body().get(j);
                    String local = inner instanceof LayerSpec.Conv2d ? "conv" + ++conv
                            : inner instanceof LayerSpec.BatchNorm2d ? "bn" + ++bn : null;
                    if (local != null) {
                        add(out, tv + "." + local, inner, NetworkFactory.bodyPrefix(ours, j), architecture);
                    }
                }
                for (int j = 0; j < r.shortcut().size(); j++) {
                    add(out, tv + ".downsample." + j, r.shortcut().get(j), NetworkFactory.shortcutPrefix(ours, j),
                            architecture);
                }
            } else if (spec instanceof LayerSpec.Conv2d && stem) {
                add(out, "conv1", spec, ours, architecture);
            } else if (spec instanceof LayerSpec.BatchNorm2d && stem) {
                add(out, "bn1", spec, ours, architecture);
            } else if (spec instanceof LayerSpec.Linear && !stem) {
                add(out, FC, spec, ours, architecture);
            } else if (spec instanceof LayerSpec.Conv2d || spec instanceof LayerSpec.BatchNorm2d
                    || spec instanceof LayerSpec.Linear) {
                throw MlxException.userError("the model " + architecture + " does not have the torchvision ResNet layout"
                        + " (layer " + i + ", " + spec.describe() + ", has no torchvision name); pretrained torchvision"
                        + " weights load into resnet18 only");
            }
        }
        return out;
    }

    private static void add(Map<String, Target> out, String module, LayerSpec spec, String ours,
            Architecture architecture) {
        for (Map.Entry<String, long[]> t : tensors(spec).entrySet()) {
            String tv = module + "." + t.getKey();
            if (out.put(tv, new Target(ours + "." + t.getKey(), t.getValue())) != null) {
                throw MlxException.userError("the model " + architecture + " maps two layers to torchvision tensor " + tv
                        + "; it does not have the torchvision ResNet layout");
            }
        }
    }

    /** The tensor suffixes and shapes of one layer, in PyTorch's state-dict order. */
    private static Map<String, long[]> tensors(LayerSpec spec) {
        Map<String, long[]> t = new LinkedHashMap<>();
        if (spec instanceof LayerSpec.Conv2d c) {
            t.put("weight", new long[] {c.outChannels(), c.inChannels(), c.kernel(), c.kernel()});
            if (c.bias()) {
                t.put("bias", new long[] {c.outChannels()});
            }
        } else if (spec instanceof LayerSpec.BatchNorm2d b) {
            long[] channels = {b.channels()};
            t.put("weight", channels);
            t.put("bias", channels);
            t.put("running_mean", channels);
            t.put("running_var", channels);
            t.put("num_batches_tracked", new long[0]);
        } else if (spec instanceof LayerSpec.Linear l) {
            t.put("weight", new long[] {l.out(), l.in()});
            t.put("bias", new long[] {l.out()});
        }
        return t;
    }

    /**
     * Initial values for a network of {@code architecture} from its
     * {@link Architecture#pretrained() pretrained} file, overridden by {@code given}. When
     * {@code given} already holds every tensor (a checkpoint), the file is not read.
     *
     * @param architecture the architecture, with pretrained weights
     * @param given values that take precedence (e.g. a run's checkpoint), by network tensor name
     * @return network tensor name to values
     * @throws MlxException (user error) naming the tensor on any missing, unexpected or wrongly
     *     shaped tensor, or if the file cannot be read
     */
    public static Map<String, float[]> load(Architecture architecture, Map<String, float[]> given) {
        Map<String, Target> targets = targets(architecture);
        if (targets.values().stream().allMatch(t -> given.containsKey(t.name()))) {
            return given;
        }
        Path file = architecture.pretrained().file();
        Map<String, SafetensorsTensor> tensors = SafetensorsReader.read(file);
        boolean skipClassifier = classifierDiffers(file, tensors, targets);
        List<String> unexpected = new ArrayList<>();
        for (String name : tensors.keySet()) {
            if (!targets.containsKey(name)) {
                unexpected.add(name);
            }
        }
        if (!unexpected.isEmpty()) {
            throw MlxException.userError(file + " holds tensor " + unexpected.get(0) + " that the model has no place for"
                    + (unexpected.size() > 1 ? " (and " + (unexpected.size() - 1) + " more: "
                            + new TreeSet<>(unexpected.subList(1, Math.min(unexpected.size(), 6))) + ")" : "")
                    + "; it must be a torchvision resnet18 state dict");
        }
        Map<String, float[]> values = new HashMap<>();
        for (Map.Entry<String, Target> e : targets.entrySet()) {
            String name = e.getKey();
            Target target = e.getValue();
            if (skipClassifier && name.startsWith(FC + ".")) {
                continue;
            }
            SafetensorsTensor tensor = tensors.get(name);
            if (tensor == null) {
                throw MlxException.userError(file + " has no tensor " + name + " (for " + target.name()
                        + "); it must be a complete torchvision resnet18 state dict");
            }
            if (!Arrays.equals(tensor.shape(), target.shape())) {
                throw MlxException.userError(file + ": tensor " + name + " has shape " + Arrays.toString(tensor.shape())
                        + " but the model needs " + Arrays.toString(target.shape()) + " for " + target.name());
            }
            values.put(target.name(), tensor.values());
        }
        LOG.info("loaded {} torchvision tensors from {}{}", values.size(), file,
                skipClassifier ? " (classifier fc.* initialised from the seed)" : "");
        values.putAll(given);
        return values;
    }

    /** Whether the file's classifier has another number of classes (then fc.* is skipped, logged). */
    private static boolean classifierDiffers(Path file, Map<String, SafetensorsTensor> tensors,
            Map<String, Target> targets) {
        Target fc = targets.get(FC + ".weight");
        SafetensorsTensor stored = tensors.get(FC + ".weight");
        if (fc == null || stored == null || stored.shape().length != 2 || fc.shape()[1] != stored.shape()[1]
                || fc.shape()[0] == stored.shape()[0]) {
            return false;
        }
        LOG.info("{}: its classifier fc has {} classes but the model has {}; fc.weight and fc.bias are not loaded and"
                + " the classifier is initialised from the seed", file, stored.shape()[0], fc.shape()[0]);
        return true;
    }
}
