package dev.mlx.app.ablate;

import dev.mlx.api.error.MlxException;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The random ranges of the mask corruptions and how the corrupted examples are chosen, exactly
 * as the reference specification §12.2 states them for its two datasets, written in terms of the
 * swatch side {@code S} and the image side {@code N} (all ranges inclusive):
 *
 * <table>
 *   <caption>ranges</caption>
 *   <tr><th></th><th>{@link #DECOY_MNIST} (S = 4, N = 28)</th><th>{@link #DERMA} (S = N/4)</th></tr>
 *   <tr><td>misposition row, col</td><td>U{S+1 .. N−S−1} = U{5..23}</td><td>U{S .. N−S−2}</td></tr>
 *   <tr><td>shift dr, dc</td><td>U{1 .. S−1} = U{1..3}</td><td>U{1 .. S−2}</td></tr>
 *   <tr><td>dilation d</td><td>U{1 .. S} = U{1..4}</td><td>U{1 .. S}</td></tr>
 *   <tr><td>shrink s</td><td>U{1 .. S−1} = U{1..3}</td><td>U{1 .. S−1}</td></tr>
 *   <tr><td>corrupted examples</td><td>a random {@code int((1−ρ)·n)} of the whole set</td>
 *       <td>a random {@code int((1−ρ)·n_c)} of each class {@code c}</td></tr>
 * </table>
 */
public enum CorruptionRules {
    /** The Decoy-MNIST ranges, for 28x28 images with 4x4 swatches (and Decoy-Fashion-MNIST). */
    DECOY_MNIST,
    /** The Decoy-DERM ranges, for swatches of a quarter of the image side. */
    DERMA;

    /** @return whether corrupted examples are drawn per class (else from the whole set) */
    public boolean perClass() {
        return this == DERMA;
    }

    /**
     * Draws one value of the corruption's random parameter.
     *
     * @param c the corruption
     * @param s the swatch side
     * @param n the image side
     * @param rng the random stream
     * @return the misposition coordinate, shift, dilation or shrink amount
     * @throws MlxException (user error) if the range is empty for this swatch and image size
     */
    public int draw(Corruption c, int s, int n, SplittableRandom rng) {
        int lo;
        int hi;
        switch (c) {
            case MISPOSITION -> {
                lo = this == DECOY_MNIST ? s + 1 : s;
                hi = this == DECOY_MNIST ? n - s - 1 : n - s - 2;
            }
            case SHIFT -> {
                lo = 1;
                hi = this == DECOY_MNIST ? s - 1 : s - 2;
            }
            case DILATION -> {
                lo = 1;
                hi = s;
            }
            case SHRINK -> {
                lo = 1;
                hi = s - 1;
            }
            default -> throw new IllegalStateException(c.toString());
        }
        if (hi < lo) {
            throw MlxException.userError("the " + c.cliName() + " corruption under the " + cliName() + " rules needs a "
                    + "larger swatch: range U{" + lo + ".." + hi + "} is empty for a " + s + "-pixel swatch in a " + n
                    + "-pixel image");
        }
        return lo + rng.nextInt(hi - lo + 1);
    }

    /** @return the command-line name, e.g. {@code decoy-mnist} */
    public String cliName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /**
     * @param name {@code auto}, {@code decoy-mnist} or {@code derma}
     * @param dataset the dataset, for {@code auto}: the Decoy-MNIST rules for {@code decoy-mnist}
     *     and {@code decoy-fashion-mnist}, the DERM rules for every other dataset
     * @return the rules
     */
    public static CorruptionRules parse(String name, String dataset) {
        return switch (name) {
            case "auto" -> dataset.equals("decoy-mnist") || dataset.equals("decoy-fashion-mnist") ? DECOY_MNIST : DERMA;
            case "decoy-mnist" -> DECOY_MNIST;
            case "derma" -> DERMA;
            default -> throw MlxException.userError("unknown corruption rules '" + name
                    + "'; known: auto, decoy-mnist, derma");
        };
    }
}
