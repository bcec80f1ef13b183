package dev.mlx.app.ablate;

import dev.mlx.api.error.MlxException;
import java.util.Arrays;
import java.util.List;

/**
 * The ablations of the R4 paper (reference specification §12), by command-line name, with the
 * grid axis each one sweeps and its default values.
 */
public enum AblationKind {
    /** §12.1: a fraction ρ of the training masks is kept, the others are zeroed; ρ ∈ {0, 0.2, ..., 1}. */
    MASK_FRACTION("mask-fraction", "mask-fraction", List.of(0.0, 0.2, 0.4, 0.6, 0.8, 1.0)),
    /** §12.1 "data+mask": a fraction ρ of the training examples is kept, the others dropped; ρ ∈ {0.2, ..., 1}. */
    DATA_FRACTION("data-fraction", "data-fraction", List.of(0.2, 0.4, 0.6, 0.8, 1.0)),
    /** §12.2: a fraction ρ of the training masks is correct, the others corrupted; ρ ∈ {0, 0.2, ..., 0.8}. */
    CORRUPTION("corruption", "correct-fraction", List.of(0.0, 0.2, 0.4, 0.6, 0.8)),
    /** §12.1 heat map (Appendix D): Adam weight decay × mask fraction ρ ∈ {0, 0.2, ..., 1}. */
    HEATMAP("heatmap", "mask-fraction", List.of(0.0, 0.2, 0.4, 0.6, 0.8, 1.0)),
    /** §12.3: the model's size parameter (MLP hidden layers 1-4, DermaNet small ... large). */
    MODEL_SIZE("model-size", "model-size", List.of());

    private final String cliName;
    private final String axis;
    private final List<Double> defaultFractions;

    AblationKind(String cliName, String axis, List<Double> defaultFractions) {
        this.cliName = cliName;
        this.axis = axis;
        this.defaultFractions = defaultFractions;
    }

    /** @return the command-line name */
    public String cliName() {
        return cliName;
    }

    /** @return the name of the swept axis, a column of results.csv */
    public String axis() {
        return axis;
    }

    /** @return the default fractions (empty for the model-size ablation) */
    public List<Double> defaultFractions() {
        return defaultFractions;
    }

    /**
     * @param name a command-line name
     * @return the kind
     * @throws MlxException (user error) listing the known names
     */
    public static AblationKind parse(String name) {
        for (AblationKind k : values()) {
            if (k.cliName.equals(name)) {
                return k;
            }
        }
        throw MlxException.userError("unknown ablation '" + name + "'; known: "
                + String.join(", ", Arrays.stream(values()).map(AblationKind::cliName).toList()));
    }
}
