package dev.mlx.vision.model;

import dev.mlx.api.error.MlxException;
import dev.mlx.api.model.Architecture;
import dev.mlx.api.model.LayerSpec;
import dev.mlx.api.model.LayerSpec.BatchNormMode;
import dev.mlx.api.model.ModelProvider;
import dev.mlx.api.model.PretrainedWeights;
import dev.mlx.api.param.HyperParameters;
import dev.mlx.api.param.ParameterSchema;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The {@code resnet18} model: torchvision's ResNet-18 (He et al., "Deep Residual Learning for
 * Image Recognition", CVPR 2016) with the head of the R4 paper's Salient-ImageNet model (Ghitu et
 * al., "Model Guidance via Robust Feature Attribution", TMLR; reference specification §2:
 * the backbone's {@code fc} replaced by {@code Dropout(0.5) -> Linear(512, classes)}):
 *
 * <pre>
 * conv1  Conv2d(C, 64, k7, s2, p3, no bias) -> BatchNorm2d(64) -> ReLU -> MaxPool2d(k3, s2, p1)
 * layer1 2 x BasicBlock(64 -> 64)
 * layer2 BasicBlock(64 -> 128, stride 2, downsample Conv2d(64, 128, k1, s2, no bias) -> BatchNorm2d) -> BasicBlock(128)
 * layer3 the same with 256 channels, layer4 with 512
 * head   GlobalAvgPool2d (AdaptiveAvgPool2d((1, 1))) -> Flatten -> Dropout(p) -> Linear(512, classes)
 * BasicBlock(x) = ReLU(bn2(conv2(ReLU(bn1(conv1(x))))) + shortcut(x)), 3x3 convolutions, padding 1, no bias
 * </pre>
 *
 * The layers, shapes and tensor names are torchvision's, so a torchvision {@code resnet18} state
 * dict in safetensors format loads with {@code weights=<path>} (see {@link PretrainedWeights}).
 * Without weights the network trains from scratch with PyTorch's default layer initialisation.
 *
 * <p>Parameters: {@code classes} (0: the dataset's number of classes; more keeps a wider
 * classifier, e.g. 1000 to keep a pretrained ImageNet {@code fc}), {@code dropout} (the head's
 * {@code p}), {@code freeze-backbone} (train only the head's Linear, as the R4 paper does on
 * Salient-ImageNet), {@code batchnorm-mode}: {@code train} normalises with batch statistics during
 * training steps and updates the running statistics (PyTorch's {@code model.train()}; input
 * gradients then couple the examples of a batch, and interval-bound regularizers refuse the
 * model), {@code eval} always uses the running statistics (a fixed per-channel affine map:
 * per-example input gradients, and sound interval bounds through it).
 */
public final class ResNet18Provider implements ModelProvider {
    /** The provider name. */
    public static final String NAME = "resnet18";

    private static final int[] WIDTHS = {64, 128, 256, 512};

    private static final ParameterSchema SCHEMA = ParameterSchema.builder()
            .addInt("classes", 0, 0, 1 << 20, "number of logits; 0 = the dataset's number of classes")
            .addDouble("dropout", 0.5, 0, 0.99, "dropout probability before the final Linear (the R4 head: 0.5)")
            .addBoolean("freeze-backbone", false, "train only the final Linear (the backbone keeps its weights)")
            .addChoice("batchnorm-mode", "train", List.of("train", "eval"),
                    "train: batch statistics in training steps, running statistics updated (no interval bounds);"
                            + " eval: running statistics always (affine; interval bounds supported)")
            .addString("weights", "", "a torchvision resnet18 state dict in safetensors format to start from;"
                    + " empty = train from scratch")
            .build();

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "ResNet-18 (torchvision layout) with the R4 head Dropout -> Linear(512, classes); optional pretrained"
                + " torchvision weights (safetensors), frozen backbone, batchnorm mode train|eval";
    }

    @Override
    public ParameterSchema parameters() {
        return SCHEMA;
    }

    @Override
    public Architecture build(HyperParameters params, int[] exampleShape, int numClasses) {
        if (exampleShape == null || exampleShape.length != 3 || Arrays.stream(exampleShape).anyMatch(d -> d <= 0)) {
            throw MlxException.userError(NAME + " takes images of shape [channels, height, width], but the dataset's"
                    + " examples have shape " + Arrays.toString(exampleShape) + "; use an image dataset");
        }
        if (numClasses < 1) {
            throw MlxException.userError(NAME + ": the dataset has " + numClasses + " classes; it needs at least one");
        }
        int classes = params.getInt("classes") == 0 ? numClasses : params.getInt("classes");
        if (classes < numClasses) {
            throw MlxException.userError(NAME + ": classes=" + classes + " is fewer than the dataset's " + numClasses
                    + " classes; use classes=0 (the dataset's) or at least " + numClasses);
        }
        BatchNormMode mode = BatchNormMode.valueOf(params.getString("batchnorm-mode").toUpperCase(Locale.ROOT));
        PretrainedWeights pretrained = null;
        String weights = params.getString("weights");
        if (!weights.isEmpty()) {
            // the engine reads (and checks) the file when it builds the network, and only if a
            // checkpoint does not already supply every tensor
            Path file = Path.of(weights);
            if (exampleShape[0] != 3) {
                throw MlxException.userError(NAME + ": pretrained torchvision weights take 3-channel images but the"
                        + " dataset's have " + exampleShape[0] + " channels");
            }
            pretrained = new PretrainedWeights(file);
        }
        List<LayerSpec> layers = new ArrayList<>();
        layers.add(new LayerSpec.Conv2d(exampleShape[0], 64, 7, 2, 3, false));
        layers.add(new LayerSpec.BatchNorm2d(64, mode));
        layers.add(new LayerSpec.Relu());
        layers.add(new LayerSpec.MaxPool2d(3, 2, 1));
        int in = 64;
        for (int stage = 0; stage < WIDTHS.length; stage++) {
            int width = WIDTHS[stage];
            int stride = stage == 0 ? 1 : 2;
            layers.add(basicBlock(in, width, stride, mode));
            layers.add(new LayerSpec.Relu());
            layers.add(basicBlock(width, width, 1, mode));
            layers.add(new LayerSpec.Relu());
            in = width;
        }
        layers.add(new LayerSpec.GlobalAvgPool2d());
        layers.add(new LayerSpec.Flatten());
        layers.add(new LayerSpec.Dropout(params.getDouble("dropout")));
        layers.add(new LayerSpec.Linear(in, classes));
        int frozen = params.getBoolean("freeze-backbone") ? layers.size() - 2 : 0;
        return new Architecture(layers, frozen, pretrained);
    }

    /**
     * torchvision's {@code BasicBlock} without its final ReLU: two 3x3 convolutions with batch
     * normalisation, and a 1x1 projection shortcut when the stride or the width changes.
     */
    private static LayerSpec.Residual basicBlock(int in, int out, int stride, BatchNormMode mode) {
        List<LayerSpec> body = List.of(new LayerSpec.Conv2d(in, out, 3, stride, 1, false),
                new LayerSpec.BatchNorm2d(out, mode), new LayerSpec.Relu(),
                new LayerSpec.Conv2d(out, out, 3, 1, 1, false), new LayerSpec.BatchNorm2d(out, mode));
        List<LayerSpec> shortcut = stride == 1 && in == out ? List.of()
                : List.of(new LayerSpec.Conv2d(in, out, 1, stride, 0, false), new LayerSpec.BatchNorm2d(out, mode));
        return new LayerSpec.Residual(body, shortcut);
    }
}
