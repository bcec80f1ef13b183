package dev.mlx.app.ablate;

import com.fasterxml.jackson.annotation.JsonIgnore;
import dev.mlx.api.data.DataSplit;
import dev.mlx.api.error.MlxException;
import java.util.SplittableRandom;

/**
 * What an ablation trial does to the training split before training (the test split is never
 * touched). With {@code ρ = kept}:
 * <ul>
 *   <li><b>mask removal</b> ({@code corruption == null}, {@code dropData == false}; §12.1): in each
 *       class, {@code floor((1−ρ)·n_c)} random examples get an all-zero mask (no guidance);
 *   <li><b>data removal</b> ({@code dropData}; §12.1 "with_data_removal"): those examples are
 *       dropped, masks and all;
 *   <li><b>corruption</b> ({@code corruption != null}; §12.2): {@code floor((1−ρ)·n)} random
 *       examples (per class or from the whole set, as {@code rules} says) get a corrupted mask
 *       ({@link MaskCorrupter}).
 * </ul>
 * The result is a new split; the input split and its arrays are never modified (the reference's
 * Derma mask ablation, whose new masks were never written back, and its in-place toggling are not
 * copied, §14 item 11). Every random draw comes from {@code new SplittableRandom(seed)}: first the
 * example selection ({@link ExampleSelection}), then the corruption draws in example order.
 *
 * @param kept the fraction {@code ρ} of examples left untouched, in {@code [0, 1]}
 * @param dropData whether chosen examples are dropped (else their masks are zeroed or corrupted)
 * @param corruption the corruption, or {@code null}
 * @param rules the corruption rules, or {@code null} without a corruption
 */
public record TrainingSetTransform(double kept, boolean dropData, Corruption corruption, CorruptionRules rules) {
    public TrainingSetTransform {
        if (!(kept >= 0 && kept <= 1)) {
            throw MlxException.userError("fraction " + kept + " must lie in [0, 1]");
        }
        if (dropData && corruption != null) {
            throw new IllegalArgumentException("data removal and corruption do not combine");
        }
        if (corruption != null && rules == null) {
            throw new IllegalArgumentException("a corruption needs its rules");
        }
        if (dropData && kept == 0) {
            throw MlxException.userError("a data fraction of 0 leaves no training data; use fractions above 0");
        }
    }

    /** @return the transform that keeps the training split as it is */
    public static TrainingSetTransform none() {
        return new TrainingSetTransform(1.0, false, null, null);
    }

    /** @return whether this transform changes nothing */
    @JsonIgnore
    public boolean isIdentity() {
        return kept == 1.0;
    }

    /**
     * @param train the training split
     * @param seed the seed of the selection and corruption draws
     * @return the transformed split (the same object if {@link #isIdentity()})
     */
    public DataSplit apply(DataSplit train, long seed) {
        if (isIdentity()) {
            return train;
        }
        SplittableRandom rng = new SplittableRandom(seed);
        boolean perClass = corruption == null || rules.perClass();
        boolean[] chosen = ExampleSelection.choose(train.labels(), kept, perClass, rng);
        int f = train.featureCount();
        if (dropData) {
            return dropped(train, chosen, f);
        }
        float[] masks = train.masks().clone();
        MaskCorrupter corrupter = corruption == null ? null : new MaskCorrupter(corruption, rules, train.exampleShape());
        for (int i = 0; i < chosen.length; i++) {
            if (!chosen[i]) {
                continue;
            }
            if (corrupter == null) {
                java.util.Arrays.fill(masks, i * f, (i + 1) * f, 0f);
            } else {
                corrupter.corrupt(masks, i * f, i, rng);
            }
        }
        return new DataSplit(train.name() + describe(), train.exampleShape(), train.inputs(), masks, train.labels(),
                train.groups(), train.numClasses(), train.numGroups());
    }

    private DataSplit dropped(DataSplit train, boolean[] chosen, int f) {
        int keep = 0;
        for (boolean c : chosen) {
            keep += c ? 0 : 1;
        }
        if (keep == 0) {
            throw MlxException.userError("data fraction " + kept + " leaves no training example; raise it");
        }
        float[] inputs = new float[keep * f];
        float[] masks = new float[keep * f];
        int[] labels = new int[keep];
        int[] groups = new int[keep];
        int j = 0;
        for (int i = 0; i < chosen.length; i++) {
            if (chosen[i]) {
                continue;
            }
            System.arraycopy(train.inputs(), i * f, inputs, j * f, f);
            System.arraycopy(train.masks(), i * f, masks, j * f, f);
            labels[j] = train.labels()[i];
            groups[j] = train.groups()[i];
            j++;
        }
        return new DataSplit(train.name() + describe(), train.exampleShape(), inputs, masks, labels, groups,
                train.numClasses(), train.numGroups());
    }

    /** @return a short description, e.g. {@code [masks kept 0.4]} */
    public String describe() {
        if (corruption != null) {
            return "[" + corruption.cliName() + " (" + rules.cliName() + " rules), correct " + kept + "]";
        }
        return dropData ? "[data kept " + kept + "]" : "[masks kept " + kept + "]";
    }
}
