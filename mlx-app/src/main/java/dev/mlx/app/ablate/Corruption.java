package dev.mlx.app.ablate;

import dev.mlx.api.error.MlxException;
import java.util.Arrays;
import java.util.Locale;

/**
 * The four training-mask corruptions of the R4 paper's ablation (reference specification §12.2,
 * {@code corruption.py}): a corrupted mask is a binary square block, on every channel, derived
 * from the corner the true swatch occupies ({@link CorruptionRules} gives the ranges).
 */
public enum Corruption {
    /** An {@code S x S} block at a random position; the corner is ignored. */
    MISPOSITION,
    /** The {@code S x S} block moved inward from its corner by {@code (dr, dc)}. */
    SHIFT,
    /** A {@code (S + d) x (S + d)} block anchored at the corner. */
    DILATION,
    /** A {@code (S − s) x (S − s)} block anchored at the corner. */
    SHRINK;

    /** @return the command-line name, e.g. {@code misposition} */
    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * @param name a command-line name
     * @return the corruption
     * @throws MlxException (user error) listing the known names
     */
    public static Corruption parse(String name) {
        for (Corruption c : values()) {
            if (c.cliName().equals(name.trim())) {
                return c;
            }
        }
        throw MlxException.userError("unknown corruption '" + name + "'; known: "
                + String.join(", ", Arrays.stream(values()).map(Corruption::cliName).toList()));
    }
}
