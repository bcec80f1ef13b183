package dev.mlx.app.ablate;

import dev.mlx.app.run.MethodDefaults;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Expands an {@link AblationSpec} into its trials: for every method, every point of the grid
 * and every seed, one {@link Trial} with the method's defaults ({@link MethodDefaults}) under the
 * user's overrides. Grid order (the order of results.csv): method, then
 * <ul>
 *   <li>mask-fraction / data-fraction: the fraction;
 *   <li>corruption: the corruption, then the correct fraction;
 *   <li>heatmap: the weight decay, then the mask fraction;
 *   <li>model-size: the size;
 * </ul>
 * then the seed.
 */
final class AblationPlan {
    private AblationPlan() {}

    static List<Trial> trials(AblationSpec s) {
        List<Trial> trials = new ArrayList<>();
        for (String method : s.methods()) {
            for (Point p : points(s)) {
                Map<String, String> coordinates = new LinkedHashMap<>();
                coordinates.put("method", method);
                coordinates.putAll(p.coordinates());
                for (long seed : s.seeds()) {
                    trials.add(trial(s, method, p, coordinates, seed));
                }
            }
        }
        return trials;
    }

    /** One grid point: its coordinates, the transform, the weight decay and the model parameters. */
    private record Point(Map<String, String> coordinates, TrainingSetTransform transform, double weightDecay,
            Map<String, String> modelParams) {}

    private static List<Point> points(AblationSpec s) {
        List<Point> points = new ArrayList<>();
        switch (s.kind()) {
            case MASK_FRACTION, DATA_FRACTION -> {
                for (double f : s.fractions()) {
                    points.add(new Point(Map.of(s.kind().axis(), format(f)),
                            new TrainingSetTransform(f, s.kind() == AblationKind.DATA_FRACTION, null, null),
                            s.weightDecay(), s.modelParams()));
                }
            }
            case CORRUPTION -> {
                for (Corruption c : s.corruptions()) {
                    for (double f : s.fractions()) {
                        Map<String, String> xy = new LinkedHashMap<>();
                        xy.put("corruption", c.cliName());
                        xy.put(s.kind().axis(), format(f));
                        points.add(new Point(xy, new TrainingSetTransform(f, false, c, s.rules()), s.weightDecay(),
                                s.modelParams()));
                    }
                }
            }
            case HEATMAP -> {
                for (double wd : s.weightDecays()) {
                    for (double f : s.fractions()) {
                        Map<String, String> xy = new LinkedHashMap<>();
                        xy.put("weight-decay", format(wd));
                        xy.put(s.kind().axis(), format(f));
                        points.add(new Point(xy, new TrainingSetTransform(f, false, null, null), wd, s.modelParams()));
                    }
                }
            }
            case MODEL_SIZE -> {
                for (String size : s.sizes()) {
                    Map<String, String> params = new LinkedHashMap<>(s.modelParams());
                    params.put(s.sizeParam(), size);
                    points.add(new Point(Map.of(s.kind().axis(), size), TrainingSetTransform.none(), s.weightDecay(),
                            params));
                }
            }
            default -> throw new IllegalStateException(s.kind().toString());
        }
        return points;
    }

    private static Trial trial(AblationSpec s, String method, Point p, Map<String, String> coordinates, long seed) {
        MethodDefaults d = MethodDefaults.of(s.dataset(), method);
        return new Trial(Trial.idOf(coordinates, seed), coordinates, s.dataset(), s.datasetParams(), s.model(),
                p.modelParams(), method, d.regularizerParams(), s.epochs() != null ? s.epochs() : d.epochs(),
                s.batchSize() != null ? s.batchSize() : d.batchSize(),
                s.learningRate() != null ? s.learningRate() : d.learningRate(), p.weightDecay(), seed, p.transform());
    }

    /** @return a number as written in results and folder names: {@code 0.4}, {@code 1}, {@code 1.0E-4} */
    static String format(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e9) {
            return Long.toString((long) v);
        }
        return Double.toString(v);
    }
}
