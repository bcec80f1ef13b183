package dev.mlx.app.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.mlx.api.data.DataContext;
import dev.mlx.api.data.DataSplit;
import dev.mlx.api.model.Architecture;
import dev.mlx.api.train.InputGradient;
import dev.mlx.api.train.Interval;
import dev.mlx.api.train.IntervalPass;
import dev.mlx.api.train.Losses;
import dev.mlx.app.run.SavedRun;
import dev.mlx.app.testing.CliRun;
import dev.mlx.app.testing.TinyDermaNpz;
import dev.mlx.engine.MlxEngine;
import dev.mlx.engine.method.CrossEntropyBounds;
import dev.mlx.engine.nn.Network;
import dev.mlx.engine.nn.Parameter;
import dev.mlx.engine.testkit.SharedEngine;
import dev.mlx.vision.derm.DecoyDermProvider;
import dev.mlx.vision.model.DermaCnnProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cert-R4 trains the Decoy-DERM CNN ({@code derma-cnn}, the medium-large DermaNet: four
 * convolutions and three linear layers) through {@code mlx train} on a generated MedMNIST-format
 * file, and the interval bounds of the trained network are sound.
 *
 * <p>Soundness, checked on the trained weights in double precision: for the box
 * {@code B = {x' : |x' − x| <= eps·m}} around training images {@code x} with their swatch masks
 * {@code m}, every sampled {@code x' in B} (the box's two extreme corners, random corners and
 * uniform interior points) has logits {@code z(x')} inside the forward interval bounds and a
 * cross-entropy input gradient {@code ∇ₓ CE(z(x'), y)} inside the backward interval bounds the
 * engine computes (the bounds Cert-R4's penalty is made of), at the run's epsilon and at a larger one.
 */
class DecoyDermCertR4Test {
    private static final int SIDE = 16;
    private static final int CHECKED_IMAGES = 6;
    private static final int SAMPLES = 30;
    private static final double TOLERANCE = 1e-9;

    @TempDir
    Path tmp;

    @Test
    void certR4TrainsTheDermaCnnOnGeneratedDecoyDermAndItsTrainedBoundsAreSound() throws IOException {
        Path data = Files.createDirectories(tmp.resolve("derm"));
        TinyDermaNpz.write(data, 32, SIDE, 11);
        Path run = tmp.resolve("run");
        CliRun trained = CliRun.of("--plugins-dir", tmp.resolve("no-plugins").toString(), "train", "-d", "decoy-derm",
                "--dataset-param", "dir=" + data, "--dataset-param", "validation=false", "-m", "derma-cnn", "-r", "cert-r4",
                "--epochs", "2", "--batch-size", "20", "--out", run.toString());
        assertEquals(0, trained.exitCode(), trained::toString);

        // the penalty was applied: finite and non-zero in every epoch
        List<String> csv = Files.readAllLines(run.resolve("metrics.csv"));
        assertEquals(3, csv.size(), "header + 2 epochs: " + csv);
        for (String line : csv.subList(1, csv.size())) {
            double penalty = Double.parseDouble(line.split(",")[2]);
            assertTrue(Double.isFinite(penalty) && penalty > 0, "cert-r4 penalty: " + line);
        }

        SavedRun saved = SavedRun.open(run);
        assertEquals("derma-cnn", saved.config().model());
        double epsilon = Double.parseDouble(saved.config().regularizerParams().get("epsilon"));
        DecoyDermProvider dermProvider = new DecoyDermProvider();
        DataSplit train = dermProvider.load(dermProvider.parameters().bind("decoy-derm", saved.datasetParams()),
                saved.seed(), new DataContext(tmp, tmp.resolve("cache"), false)).train();
        assertEquals(40, train.size(), "train + val of the generated file (validation=false)");
        DermaCnnProvider cnn = new DermaCnnProvider();
        Architecture architecture = cnn.build(cnn.parameters().bind("derma-cnn", saved.modelParams()),
                train.exampleShape(), train.numClasses());
        assertEquals(7, architecture.layers().stream().filter(l -> l instanceof dev.mlx.api.model.LayerSpec.Conv2d
                || l instanceof dev.mlx.api.model.LayerSpec.Linear).count(), "4 convolutions + 3 linear layers");

        MlxEngine engine = SharedEngine.get();
        Map<String, float[]> weights = saved.weights();
        // the parameters moved away from their initialisation (same seed, same architecture)
        try (Network initial = engine.networks().create(architecture, train.exampleShape(), saved.seed())) {
            for (Parameter p : initial.parameters()) {
                float[] start = p.array().toFloatArray();
                float[] end = weights.get(p.name());
                assertEquals(start.length, end.length, p.name());
                assertTrue(!Arrays.equals(start, end), p.name() + " did not change in training");
            }
        }

        try (Network net = engine.networks().create(architecture, train.exampleShape(), saved.seed(), weights,
                DataType.FLOAT64)) {
            for (double eps : new double[] {epsilon, 4 * epsilon}) {
                Check check = soundness(engine, net, train, eps);
                assertTrue(check.points >= 100_000, "points checked: " + check.points);
                assertEquals(0, check.violations, "eps " + eps + ": " + check.example);
                assertTrue(check.widestGradientBound > 0, "the masked box gives gradient bounds of positive width");
            }
        }
    }

    private record Check(long points, long violations, String example, double widestGradientBound) {}

    private static Check soundness(MlxEngine engine, Network net, DataSplit train, double eps) {
        int f = train.featureCount();
        int b = CHECKED_IMAGES;
        int[] s = train.exampleShape();
        Shape shape = new Shape(b, s[0], s[1], s[2]);
        double[] x = new double[b * f];
        double[] mask = new double[b * f];
        long[] y = new long[b];
        for (int i = 0; i < b * f; i++) {
            x[i] = train.inputs()[i];
            mask[i] = train.masks()[i];
        }
        for (int i = 0; i < b; i++) {
            y[i] = train.labels()[i];
        }
        SplittableRandom random = new SplittableRandom(29);
        long points = 0;
        long violations = 0;
        String example = "";
        double widest = 0;
        try (NDManager m = engine.manager().newSubManager()) {
            NDArray xs = m.create(x, shape);
            NDArray ms = m.create(mask, shape);
            NDArray ys = m.create(y);
            IntervalPass pass = net.intervalBounds().propagate(Interval.maskedBox(xs, ms, eps));
            Interval logits = pass.logits();
            Interval eta = pass.inputGradient(CrossEntropyBounds.logitGradient(logits, ys));
            double[] zl = logits.lower().toDoubleArray();
            double[] zu = logits.upper().toDoubleArray();
            double[] el = eta.lower().toDoubleArray();
            double[] eu = eta.upper().toDoubleArray();
            for (int i = 0; i < el.length; i++) {
                widest = Math.max(widest, eu[i] - el[i]);
            }
            for (int sample = 0; sample < SAMPLES; sample++) {
                double[] point = new double[x.length];
                for (int i = 0; i < x.length; i++) {
                    double u = sample < 2 ? (sample == 0 ? -1 : 1)
                            : sample < 8 ? (random.nextBoolean() ? 1 : -1) : random.nextDouble() * 2 - 1;
                    point[i] = x[i] + eps * mask[i] * u;
                }
                try (NDManager pm = m.newSubManager()) {
                    InputGradient g = net.inputGradient(pm.create(point, shape),
                            z -> Losses.perSampleCrossEntropy(z, ys));
                    double[] z = g.logits().toDoubleArray();
                    double[] grad = g.gradient().toDoubleArray();
                    for (int i = 0; i < z.length; i++) {
                        points++;
                        if (z[i] < zl[i] - TOLERANCE || z[i] > zu[i] + TOLERANCE) {
                            violations++;
                            example = "logit " + z[i] + " outside [" + zl[i] + ", " + zu[i] + "]";
                        }
                    }
                    for (int i = 0; i < grad.length; i++) {
                        points++;
                        if (grad[i] < el[i] - TOLERANCE || grad[i] > eu[i] + TOLERANCE) {
                            violations++;
                            example = "input gradient " + grad[i] + " outside [" + el[i] + ", " + eu[i] + "] at "
                                    + i;
                        }
                    }
                }
            }
        }
        return new Check(points, violations, example, widest);
    }
}
