package dev.mlx.app.sweep;

import dev.mlx.app.ablate.TrainingSetTransform;
import dev.mlx.app.ablate.Trial;
import dev.mlx.app.run.MethodDefaults;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Expands a {@link SweepDefinition} into its trials: for every method, every setting and every
 * seed, one {@link Trial} (training on the untouched training split). A trial's settings are, from
 * weakest to strongest: the method's defaults on the dataset ({@link MethodDefaults}), the file's
 * {@code training} section, the setting. Order: method, setting, seed (the order of the reports).
 */
public final class SweepPlan {
    /** Trial folder names longer than this end in a hash of the setting instead. */
    static final int MAX_ID = 120;

    private SweepPlan() {}

    /**
     * One setting of one method over its seeds.
     *
     * @param method the method as the file names it
     * @param plugin the regularizer plugin that runs
     * @param setting the setting as written (hyper-parameter to value)
     * @param trials one trial per seed, in seed order
     */
    public record Cell(String method, String plugin, Map<String, String> setting, List<Trial> trials) {
        /** @return the setting as one line, e.g. {@code lambda=10, lr=0.001} ({@code defaults} when empty) */
        public String label() {
            if (setting.isEmpty()) {
                return "defaults";
            }
            List<String> parts = new ArrayList<>();
            setting.forEach((k, v) -> parts.add(k + "=" + v));
            return String.join(", ", parts);
        }
    }

    /**
     * @param d the sweep
     * @return its cells, in method then setting order
     */
    public static List<Cell> cells(SweepDefinition d) {
        List<Cell> cells = new ArrayList<>();
        for (MethodSweep m : d.methods()) {
            for (Map<String, String> setting : m.settings()) {
                List<Trial> trials = new ArrayList<>();
                for (long seed : d.seeds()) {
                    trials.add(trial(d, m, setting, seed));
                }
                cells.add(new Cell(m.method(), m.plugin(), setting, trials));
            }
        }
        return cells;
    }

    /**
     * @param d the sweep
     * @return every trial, in method, setting, seed order
     */
    public static List<Trial> trials(SweepDefinition d) {
        return cells(d).stream().flatMap(c -> c.trials().stream()).toList();
    }

    private static Trial trial(SweepDefinition d, MethodSweep m, Map<String, String> setting, long seed) {
        MethodDefaults defaults = MethodDefaults.of(d.dataset(), m.plugin());
        Map<String, String> training = new LinkedHashMap<>(d.training());
        Map<String, String> params = new LinkedHashMap<>(defaults.regularizerParams());
        setting.forEach((k, v) -> {
            if (SweepDefinition.TRAINING_KEYS.contains(k)) {
                training.put(k, v);
            } else {
                params.put(k, v);
            }
        });
        int epochs = training.containsKey("epochs") ? Integer.parseInt(training.get("epochs")) : defaults.epochs();
        int batch = training.containsKey("batch-size") ? Integer.parseInt(training.get("batch-size"))
                : defaults.batchSize();
        double lr = training.containsKey("lr") ? Double.parseDouble(training.get("lr")) : defaults.learningRate();
        double wd = training.containsKey("weight-decay") ? Double.parseDouble(training.get("weight-decay")) : 0.0;
        Map<String, String> coordinates = new LinkedHashMap<>();
        coordinates.put("method", m.plugin());
        coordinates.putAll(setting);
        return new Trial(id(coordinates, seed), coordinates, d.dataset(), d.datasetParams(), d.model(),
                d.modelParams(), m.plugin(), params, epochs, batch, lr, wd, seed, TrainingSetTransform.none());
    }

    /** @return {@link Trial#idOf}, shortened with a hash of the coordinates when it would be too long */
    static String id(Map<String, String> coordinates, long seed) {
        String id = Trial.idOf(coordinates, seed);
        if (id.length() <= MAX_ID) {
            return id;
        }
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(coordinates.toString()
                    .getBytes(StandardCharsets.UTF_8));
            String suffix = "_" + HexFormat.of().formatHex(hash, 0, 6) + "_seed=" + seed;
            return id.substring(0, MAX_ID - suffix.length()) + suffix;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
