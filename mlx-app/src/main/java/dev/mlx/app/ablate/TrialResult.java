package dev.mlx.app.ablate;

import dev.mlx.api.metric.GroupAccuracy;

/**
 * What one finished trial measured on the (untouched) test split, written atomically to
 * {@code trials/<id>/result.json} as the last act of the trial: its presence, with an embedded
 * {@link #trial()} equal to the planned one, is what marks the trial complete.
 *
 * @param trial the trial
 * @param groupCorrect correct test predictions per group
 * @param groupCount test examples per group
 * @param trainSize training examples after the transform
 * @param testSize test examples
 * @param wallSeconds training wall time
 * @param secondsPerEpoch mean seconds per epoch
 * @param fragility the trained network's certified fragility on the test split, or {@code null} if
 *     the model has no interval bounds (or the result was written before mlx measured it)
 * @param validationCorrect correct validation predictions per group, or {@code null} when the
 *     dataset has no validation split (what a sweep selects on)
 * @param validationCount validation examples per group, or {@code null}
 */
public record TrialResult(Trial trial, long[] groupCorrect, long[] groupCount, int trainSize, int testSize,
        double wallSeconds, double secondsPerEpoch, TrialFragility fragility, long[] validationCorrect,
        long[] validationCount) {

    /** A result without a validation split. */
    public TrialResult(Trial trial, long[] groupCorrect, long[] groupCount, int trainSize, int testSize,
            double wallSeconds, double secondsPerEpoch, TrialFragility fragility) {
        this(trial, groupCorrect, groupCount, trainSize, testSize, wallSeconds, secondsPerEpoch, fragility, null, null);
    }

    /** @return the validation group accuracy, if the trial's dataset has a validation split */
    public java.util.Optional<GroupAccuracy> validation() {
        return validationCorrect == null || validationCount == null ? java.util.Optional.empty()
                : java.util.Optional.of(new GroupAccuracy(validationCorrect, validationCount));
    }

    /** @return the test group accuracy */
    public GroupAccuracy test() {
        return new GroupAccuracy(groupCorrect, groupCount);
    }

    /** @return {@code kappa_m / kappa_core} of {@link #fragility()}, or NaN if it was not measured */
    public double fragilityRatio() {
        return fragility == null ? Double.NaN : fragility.ratio();
    }
}
