package dev.mlx.vision.model;

import dev.mlx.api.model.Architecture;
import java.util.List;

/**
 * The convolutional networks of the R4 paper's code (reference specification §2, which follows
 * the code rather than the paper's appendix): {@code DermaNet} with its model-size ablation
 * variants, {@code LesionNet} (ISIC) and {@code PlantNet}. Notation: {@code Conv(out, k, s, p)}
 * takes the current channels as input; {@code R} = ReLU.
 *
 * <p>Two deliberate differences from the reference code, both at the output:
 * <ul>
 *   <li>The networks end in the logits, with no {@code Sigmoid}/{@code Softmax}: mlx's task loss
 *       applies the single softmax.
 *   <li>The last layer has {@code numClasses} outputs. The paper's binary datasets (DecoyDERM,
 *       ISIC, Plant) use 1 output + sigmoid + binary cross-entropy; mlx uses 2 logits + softmax
 *       cross-entropy, which models the same family of classifiers ({@code sigmoid(z1 − z0)} =
 *       {@code softmax(z)_1}) with one more row of weights in the last layer, so initialisation,
 *       weight decay and interval bounds differ slightly from the reference.
 * </ul>
 * Every flatten size is computed from the input shape ({@link CnnBuilder}); for the paper's inputs
 * it equals the reference's constant (DermaNet 3x64x64: small 30752, small-medium 57600,
 * medium-large 14400, large 12544; LesionNet 3x299x299: 43808; PlantNet 3x213x213: 173056).
 */
final class PaperCnns {
    /** The DermaNet sizes of the model-size ablation (reference {@code arch_type} with '-' for '_'). */
    static final List<String> DERMA_SIZES = List.of("small", "small-medium", "medium-large", "large");

    private PaperCnns() {}

    /**
     * {@code DermaNet(C, size, K)}:
     * <ul>
     *   <li>small: Conv(32,4,1,1) R Conv(32,4,2,1) Flatten R Linear(·,K) (Flatten before ReLU, as in the code);
     *   <li>small-medium: Conv(32,4,1,1) R Conv(32,4,2,1) R Conv(64,4,1,1) R Flatten Linear(·,1024) R Linear(1024,K);
     *   <li>medium-large (the DecoyDERM model): Conv(32,3,1,1) R Conv(32,4,2,1) R Conv(64,4,1,1) R
     *       Conv(64,4,2,1) R Flatten Linear(·,1024) R Linear(1024,1024) R Linear(1024,K);
     *   <li>large: the medium-large convs + Conv(64,4,1,1) R, Flatten Linear(·,4096) R
     *       Linear(4096,1024) R Linear(1024,128) R Linear(128,K).
     * </ul>
     */
    static Architecture dermaNet(String size, String model, int[] shape, int numClasses) {
        CnnBuilder b = CnnBuilder.forImages(model, shape, numClasses);
        return switch (size) {
            case "small" -> b.conv(32, 4, 1, 1).relu().conv(32, 4, 2, 1).flatten().relu()
                    .linear(numClasses).build();
            case "small-medium" -> b.conv(32, 4, 1, 1).relu().conv(32, 4, 2, 1).relu().conv(64, 4, 1, 1).relu()
                    .flatten().linear(1024).relu().linear(numClasses).build();
            case "medium-large" -> fourConvs(b).flatten().linear(1024).relu().linear(1024).relu()
                    .linear(numClasses).build();
            case "large" -> fourConvs(b).conv(64, 4, 1, 1).relu()
                    .flatten().linear(4096).relu().linear(1024).relu().linear(128).relu().linear(numClasses).build();
            default -> throw new IllegalArgumentException("unknown DermaNet size '" + size + "', expected one of "
                    + DERMA_SIZES);
        };
    }

    /** {@code LesionNet(C, K)}: Conv(16,4,2,0) R Conv(32,4,4,0) R Flatten Linear(·,100) R Linear(100,K). */
    static Architecture lesionNet(String model, int[] shape, int numClasses) {
        return CnnBuilder.forImages(model, shape, numClasses)
                .conv(16, 4, 2, 0).relu().conv(32, 4, 4, 0).relu()
                .flatten().linear(100).relu().linear(numClasses).build();
    }

    /** {@code PlantNet(C, K)}: the medium-large DermaNet layers (its flatten size computed from the input). */
    static Architecture plantNet(String model, int[] shape, int numClasses) {
        return dermaNet("medium-large", model, shape, numClasses);
    }

    /** Conv(32,3,1,1) R Conv(32,4,2,1) R Conv(64,4,1,1) R Conv(64,4,2,1) R, shared by DermaNet and PlantNet. */
    private static CnnBuilder fourConvs(CnnBuilder b) {
        return b.conv(32, 3, 1, 1).relu().conv(32, 4, 2, 1).relu().conv(64, 4, 1, 1).relu().conv(64, 4, 2, 1).relu();
    }
}
