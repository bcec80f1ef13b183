package dev.mlx.engine.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import dev.mlx.api.train.Regularizer;
import dev.mlx.engine.method.RrrProvider;
import dev.mlx.engine.nn.Network;
import dev.mlx.engine.nn.Parameter;
import dev.mlx.engine.testkit.SharedEngine;
import dev.mlx.engine.testkit.TinyData;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every array that reaches a regularizer (inputs, labels, masks, the context's manager), the
 * optimiser (parameters and their gradients) and the metrics (the network's logits) lives on the
 * model's device: here an explicitly built CPU device, the only one this machine has; the same
 * code takes the GPU's device from the manager on a GPU machine.
 */
class DevicePlacementTest {
    @Test
    void everyArrayOfATrainingStepIsOnTheModelsDevice() {
        Device expected = Device.of("cpu", -1);
        Regularizer rrr = new RrrProvider().create(new RrrProvider().parameters().defaults());
        List<String> seen = new ArrayList<>();
        try (Network net = SharedEngine.get().networks().create(TrainerTest.MLP, new int[] {1, 8, 8}, 4)) {
            assertEquals(expected, net.manager().getDevice(), "the model's device");
            Regularizer recording = (model, batch, ctx) -> {
                for (NDArray a : new NDArray[] {batch.inputs(), batch.labels(), batch.masks(),
                    model.logits(batch.inputs())}) {
                    seen.add(a.getDevice().toString());
                    assertEquals(expected, a.getDevice(), "a batch array or the logits");
                }
                assertEquals(expected, ctx.manager().getDevice(), "the context's manager");
                for (Parameter p : net.trainableParameters()) {
                    assertEquals(expected, p.array().getDevice(), p.name());
                    if (p.array().hasGradient()) {
                        assertEquals(expected, p.array().getGradient().getDevice(), p.name() + " gradient");
                    }
                }
                return rrr.penalty(model, batch, ctx);
            };
            new Trainer(new TrainingConfig(2, 50, 0.01, 0, 4)).train(net, TinyData.decoy(120, 8, 3, false, 4),
                    TinyData.decoy(60, 8, 3, true, 5), recording, new TrainingListener() {});
        }
        assertTrue(seen.size() >= 2 * 3 * 4, "the regularizer saw every step: " + seen.size());
    }
}
