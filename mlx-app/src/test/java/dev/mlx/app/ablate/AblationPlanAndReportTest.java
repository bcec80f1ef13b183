package dev.mlx.app.ablate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mlx.api.error.MlxException;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The grid expansion, the seed averaging and the plots of every kind, without training. */
class AblationPlanAndReportTest {
    @TempDir
    Path tmp;

    private static AblationSpec spec(AblationKind kind, List<Double> fractions, List<Corruption> corruptions,
            List<Double> decays, String sizeParam, List<String> sizes, List<Long> seeds) {
        return new AblationSpec(kind, "decoy-mnist", Map.of("train-limit", "100"), "mlp", Map.of(),
                List.of("rrr", "cert-r4"), fractions, corruptions,
                kind == AblationKind.CORRUPTION ? CorruptionRules.DECOY_MNIST : null, decays, sizeParam, sizes, 2, null,
                null, 0.0, seeds);
    }

    @Test
    void everyKindExpandsMethodsTimesGridTimesSeedsWithTheMethodsDefaults() {
        List<Trial> mask = AblationPlan.trials(spec(AblationKind.MASK_FRACTION, List.of(0.0, 0.5, 1.0), List.of(),
                List.of(), null, List.of(), List.of(0L, 1L)));
        assertEquals(2 * 3 * 2, mask.size());
        Trial first = mask.get(0);
        assertEquals("method=rrr_mask-fraction=0_seed=0", first.id());
        assertEquals(2, first.epochs(), "the user's epochs override the method's");
        assertEquals(0.025, first.learningRate(), 0.0, "rrr's Decoy-MNIST learning rate (spec §11.1)");
        assertEquals(0.0, first.transform().kept(), 0.0);
        assertEquals(1000, first.batchSize());

        List<Trial> corr = AblationPlan.trials(spec(AblationKind.CORRUPTION, List.of(0.2, 0.8),
                List.of(Corruption.SHIFT, Corruption.SHRINK), List.of(), null, List.of(), List.of(0L)));
        assertEquals(2 * 2 * 2, corr.size());
        assertEquals(Corruption.SHRINK, corr.get(2).transform().corruption());
        assertEquals(List.of("method", "corruption", "correct-fraction"),
                List.copyOf(corr.get(0).coordinates().keySet()));

        List<Trial> heat = AblationPlan.trials(spec(AblationKind.HEATMAP, List.of(0.0, 1.0), List.of(),
                List.of(1e-5, 1e-3), null, List.of(), List.of(0L)));
        assertEquals(8, heat.size());
        assertEquals(1e-3, heat.get(2).weightDecay(), 0.0, "the weight decay is an axis");

        List<Trial> size = AblationPlan.trials(spec(AblationKind.MODEL_SIZE, List.of(), List.of(), List.of(), "layers",
                List.of("1", "4"), List.of(0L)));
        assertEquals(4, size.size());
        assertEquals("4", size.get(1).modelParams().get("layers"));
        assertTrue(size.get(1).transform().isIdentity());

        List<Trial> data = AblationPlan.trials(spec(AblationKind.DATA_FRACTION, List.of(0.5), List.of(), List.of(),
                null, List.of(), List.of(3L)));
        assertTrue(data.get(0).transform().dropData());
        assertEquals(3L, data.get(0).seed());
        assertThrows(MlxException.class, () -> AblationPlan.trials(spec(AblationKind.DATA_FRACTION, List.of(0.0),
                List.of(), List.of(), null, List.of(), List.of(0L))), "no data left at fraction 0");
    }

    @Test
    void cellsAverageTheGroupAccuraciesOverSeedsBeforeTakingTheWorstGroup() {
        Trial t0 = AblationPlan.trials(spec(AblationKind.MASK_FRACTION, List.of(1.0), List.of(), List.of(), null,
                List.of(), List.of(0L, 1L))).get(0);
        Trial t1 = AblationPlan.trials(spec(AblationKind.MASK_FRACTION, List.of(1.0), List.of(), List.of(), null,
                List.of(), List.of(0L, 1L))).get(1);
        // seed 0: groups 0.9 / 0.5; seed 1: groups 0.3 / 0.7 -> means 0.6 / 0.6
        TrialResult r0 = new TrialResult(t0, new long[] {9, 5}, new long[] {10, 10}, 100, 20, 1, 1, null);
        TrialResult r1 = new TrialResult(t1, new long[] {3, 7}, new long[] {10, 10}, 100, 20, 1, 1, null);
        List<AblationCell> cells = AblationCell.of(List.of(r0, r1));
        assertEquals(1, cells.size());
        assertEquals(2, cells.get(0).seeds());
        assertEquals(0.6, cells.get(0).worstGroupAccuracy(), 1e-12, "not the mean of the per-seed minima (0.4)");
        assertEquals(0.6, cells.get(0).averageGroupAccuracy(), 1e-12);
        String csv = AblationReport.csv(List.of("method", "mask-fraction"), List.of(r0, r1));
        assertTrue(csv.lines().skip(1).allMatch(l -> l.startsWith("method=rrr_mask-fraction=1_seed=")), csv);
        assertTrue(csv.contains(",rrr,1,1,100,20,0.500000,0.500000,0.300000,0,"), csv);
    }

    @Test
    void theFragilityColumnsAverageTheMeasuredSeedsAndShowWhatWasNotMeasured() throws IOException {
        List<Trial> trials = AblationPlan.trials(spec(AblationKind.MASK_FRACTION, List.of(1.0), List.of(), List.of(),
                null, List.of(), List.of(0L, 1L, 2L)));
        long[] correct = {5, 5};
        long[] count = {10, 10};
        TrialResult r0 = new TrialResult(trials.get(0), correct, count, 100, 20, 1, 1,
                new TrialFragility(0.01, 0.2, 0.8, 0.25));
        TrialResult r1 = new TrialResult(trials.get(1), correct, count, 100, 20, 1, 1,
                new TrialFragility(0.01, 0.4, 0.5, 0.8));
        TrialResult unmeasured = new TrialResult(trials.get(2), correct, count, 100, 20, 1, 1, null);
        AblationCell cell = AblationCell.of(List.of(r0, r1, unmeasured)).get(0);
        assertEquals(0.3, cell.kappaMasked(), 1e-12, "mean over the measured seeds only");
        assertEquals(0.525, cell.fragilityRatio(), 1e-12);
        assertTrue(Double.isNaN(AblationCell.of(List.of(unmeasured)).get(0).fragilityRatio()));

        String csv = AblationReport.csv(List.of("method", "mask-fraction"), List.of(r0, unmeasured));
        List<String> lines = csv.lines().toList();
        assertTrue(lines.get(0).endsWith(",seconds_per_epoch,fragility_epsilon,kappa_m,kappa_core,fragility_ratio"),
                lines.get(0));
        assertTrue(lines.get(1).endsWith(",0.01,0.200000,0.800000,0.250000"), lines.get(1));
        assertTrue(lines.get(2).endsWith(",1.000,1.000,,,,"), lines.get(2));
        assertEquals(lines.get(0).split(",", -1).length, lines.get(2).split(",", -1).length, "one cell per column");

        // results.json round-trips the fragility (a result without it, from an older mlx, reads as null)
        String json = TrialRunner.JSON.writeValueAsString(r0);
        TrialResult back = TrialRunner.JSON.readValue(json, TrialResult.class);
        assertEquals(r0.fragility(), back.fragility());
        TrialResult old = TrialRunner.JSON.readValue(json.replaceAll("(?s),\\s*\"fragility\"\\s*:\\s*\\{[^}]*\\}", ""),
                TrialResult.class);
        assertEquals(null, old.fragility());
        assertEquals("-", AblationReport.fourDigits(Double.NaN));
        assertEquals("0.5250", AblationReport.fourDigits(0.525));
    }

    @Test
    void theReferenceTestEpsilonIsUsedPerDataset() {
        assertEquals(0.01, TrialFragility.epsilonFor("decoy-derm"));
        assertEquals(0.01, TrialFragility.epsilonFor("plant"));
        assertEquals(0.1, TrialFragility.epsilonFor("decoy-mnist"));
        assertEquals(0.1, TrialFragility.epsilonFor("isic"));
    }

    @Test
    void plotsOfEveryKindArePngsOfTheChartSize() throws IOException {
        for (AblationKind kind : AblationKind.values()) {
            List<AblationCell> cells = new ArrayList<>();
            for (String method : List.of("rrr", "cert-r4")) {
                for (int i = 0; i < 3; i++) {
                    Map<String, String> c = new LinkedHashMap<>();
                    c.put("method", method);
                    switch (kind) {
                        case CORRUPTION -> {
                            c.put("corruption", i < 2 ? "shift" : "dilation");
                            c.put("correct-fraction", Double.toString(0.2 * i));
                        }
                        case HEATMAP -> {
                            c.put("weight-decay", i == 0 ? "1.0E-4" : "0.01");
                            c.put("mask-fraction", Double.toString(0.5 * i));
                        }
                        case MODEL_SIZE -> c.put("model-size", Integer.toString(i + 1));
                        default -> c.put(kind.axis(), Double.toString(0.5 * i));
                    }
                    cells.add(new AblationCell(c, 1, 0.8, 0.5 + 0.1 * i, 0, 0, 0, 0.8, 100, 0.1, 0.5));
                }
            }
            Path dir = tmp.resolve(kind.cliName());
            java.nio.file.Files.createDirectories(dir);
            List<String> files = AblationPlots.write(dir, kind, cells);
            List<String> expected = switch (kind) {
                case MASK_FRACTION -> List.of("mask-fraction-wg.png", "mask-fraction-avg.png");
                case DATA_FRACTION -> List.of("data-fraction-wg.png", "data-fraction-avg.png");
                case CORRUPTION -> List.of("corruption-shift-wg.png", "corruption-dilation-wg.png");
                case HEATMAP -> List.of("heatmap-rrr.png", "heatmap-cert-r4.png");
                case MODEL_SIZE -> List.of("model-size-wg.png");
            };
            assertEquals(expected, files, kind.toString());
            for (String f : files) {
                BufferedImage image = ImageIO.read(dir.resolve(f).toFile());
                assertEquals(720, image.getWidth(), f);
                assertEquals(480, image.getHeight(), f);
                String svg = java.nio.file.Files.readString(dir.resolve(AblationPlots.svgName(f)));
                assertTrue(svg.startsWith("<?xml") && svg.contains("<svg"), f + "'s SVG twin");
            }
        }
    }
}
