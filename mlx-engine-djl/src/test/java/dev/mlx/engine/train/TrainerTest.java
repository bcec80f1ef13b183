package dev.mlx.engine.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mlx.api.error.MlxException;
import dev.mlx.api.data.DataSplit;
import dev.mlx.api.model.Architecture;
import dev.mlx.api.model.LayerSpec;
import dev.mlx.api.train.Regularizer;
import dev.mlx.engine.io.Checkpoints;
import dev.mlx.engine.method.CertR4Provider;
import dev.mlx.engine.method.ErmProvider;
import dev.mlx.engine.method.RrrProvider;
import dev.mlx.engine.nn.Network;
import dev.mlx.engine.testkit.SharedEngine;
import dev.mlx.engine.testkit.TinyData;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TrainerTest {
    static final Architecture MLP = new Architecture(List.of(new LayerSpec.Flatten(), new LayerSpec.Linear(64, 32),
            new LayerSpec.Relu(), new LayerSpec.Linear(32, 3)));
    static final DataSplit TRAIN = TinyData.decoy(600, 8, 3, false, 1);
    static final DataSplit TEST = TinyData.decoy(300, 8, 3, true, 2);

    private Map<String, float[]> train(Regularizer regularizer, long seed, int epochs) {
        return train(regularizer, seed, epochs, true);
    }

    private Map<String, float[]> train(Regularizer regularizer, long seed, int epochs, boolean resident) {
        try (Network net = SharedEngine.get().networks().create(MLP, new int[] {1, 8, 8}, seed)) {
            new Trainer(new TrainingConfig(epochs, 50, 0.01, 1e-4, seed), resident).train(net, TRAIN, TEST,
                    regularizer, new TrainingListener() {});
            return Checkpoints.snapshot(net);
        }
    }

    @Test
    void batchesGatheredOnTheDeviceTrainExactlyAsBatchesCopiedFromJava() {
        for (Regularizer r : List.of(new RrrProvider().create(new RrrProvider().parameters().defaults()),
                new CertR4Provider().create(new CertR4Provider().parameters().defaults()))) {
            Map<String, float[]> resident = train(r, 3, 2, true);
            Map<String, float[]> copied = train(r, 3, 2, false);
            for (String name : resident.keySet()) {
                assertArrayEquals(copied.get(name), resident.get(name), 0f, name);
            }
        }
    }

    @Test
    void sameSeedGivesBitIdenticalWeights() {
        Regularizer rrr = new RrrProvider().create(new RrrProvider().parameters().defaults());
        Map<String, float[]> a = train(rrr, 7, 2);
        Map<String, float[]> b = train(rrr, 7, 2);
        Map<String, float[]> c = train(rrr, 8, 2);
        for (String name : a.keySet()) {
            assertArrayEquals(a.get(name), b.get(name), 0f, name);
        }
        assertFalse(java.util.Arrays.equals(a.get("layer1.weight"), c.get("layer1.weight")));
    }

    @Test
    void ermLearnsTheShortcutAndCertR4IgnoresIt() {
        List<EpochMetrics> erm;
        List<EpochMetrics> cert;
        try (Network net = SharedEngine.get().networks().create(MLP, new int[] {1, 8, 8}, 3)) {
            erm = new Trainer(new TrainingConfig(15, 50, 0.01, 0, 3)).train(net, TRAIN, TEST,
                    new ErmProvider().create(new ErmProvider().parameters().defaults()), new TrainingListener() {});
        }
        CertR4Provider p = new CertR4Provider();
        try (Network net = SharedEngine.get().networks().create(MLP, new int[] {1, 8, 8}, 3)) {
            cert = new Trainer(new TrainingConfig(15, 50, 0.01, 0, 3)).train(net, TRAIN, TEST,
                    p.create(p.parameters().bind("cert-r4", Map.of("epsilon", "1.0", "lambda", "30"))),
                    new TrainingListener() {});
        }
        EpochMetrics lastErm = erm.get(erm.size() - 1);
        EpochMetrics lastCert = cert.get(cert.size() - 1);
        assertTrue(lastErm.trainAccuracy() > 0.95, "ERM fits the training data: " + lastErm);
        assertTrue(lastErm.taskLoss() < erm.get(0).taskLoss(), "the loss decreases");
        assertTrue(lastCert.test().worstGroupAccuracy() > lastErm.test().worstGroupAccuracy() + 0.1,
                "Cert-R4 worst group " + lastCert.test().worstGroupAccuracy() + " vs ERM "
                        + lastErm.test().worstGroupAccuracy());
    }

    @Test
    void aNonFinitePenaltyStopsTrainingWithAClearMessage() {
        Regularizer nan = (model, batch, ctx) -> ctx.manager().create(Float.NaN);
        try (Network net = SharedEngine.get().networks().create(MLP, new int[] {1, 8, 8}, 3)) {
            MlxException e = assertThrows(MlxException.class, () -> new Trainer(new TrainingConfig(1, 50, 0.01, 0, 3))
                    .train(net, TRAIN, null, nan, new TrainingListener() {}));
            assertTrue(e.getMessage().contains("diverged") && e.getMessage().contains("learning rate"), e.getMessage());
        }
    }

    @Test
    void invalidTrainingSettingsAreRejected() {
        assertThrows(MlxException.class, () -> new TrainingConfig(0, 10, 0.1, 0, 0));
        assertThrows(MlxException.class, () -> new TrainingConfig(1, 10, -0.1, 0, 0));
        assertThrows(MlxException.class, () -> new TrainingConfig(1, 10, 0.1, Double.NaN, 0));
        assertEquals(3, new TrainingConfig(3, 10, 0.1, 0, 0).epochs());
    }
}
