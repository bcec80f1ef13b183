package dev.mlx.engine.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.mlx.api.data.DataSplit;
import dev.mlx.api.train.Batch;
import dev.mlx.engine.testkit.SharedEngine;
import dev.mlx.engine.testkit.TinyData;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** A resident split gives the batches Java slicing gives, on the batch's manager, and frees itself. */
class ResidentSplitTest {
    @Test
    void gatheredBatchesEqualCopiedBatchesAndLiveOnTheBatchManager() {
        DataSplit split = TinyData.decoy(97, 8, 3, false, 5);
        int[] order = Batches.range(split.size());
        SplittableRandom r = new SplittableRandom(1);
        for (int i = order.length - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        NDManager root = SharedEngine.get().manager();
        try (NDManager parent = root.newSubManager()) {
            ResidentSplit resident = ResidentSplit.upload(split, parent);
            for (int from = 0; from < split.size(); from += 40) {
                int to = Math.min(split.size(), from + 40);
                try (NDManager step = parent.newSubManager()) {
                    Batch a = resident.slice(order, from, to, step);
                    Batch b = Batches.slice(split, order, from, to, step);
                    assertEquals(b.inputs().getShape(), a.inputs().getShape());
                    assertArrayEquals(b.inputs().toFloatArray(), a.inputs().toFloatArray(), 0f);
                    assertArrayEquals(b.masks().toFloatArray(), a.masks().toFloatArray(), 0f);
                    assertArrayEquals(b.labels().toLongArray(), a.labels().toLongArray());
                    assertTrue(a.inputs().getManager() == step && a.labels().getManager() == step
                            && a.masks().getManager() == step, "a batch belongs to the step's manager");
                    assertEquals(parent.getDevice(), a.inputs().getDevice());
                }
            }
            resident.close();
            assertTrue(parent.isOpen(), "closing the split leaves its parent open");
        }
    }

    @Test
    void aSplitTooLargeForTheLimitStaysInJavaMemory() {
        DataSplit split = TinyData.decoy(10, 8, 3, false, 5);
        assertTrue(ResidentSplit.fits(split));
        String old = System.getProperty("mlx.resident.maxBytes");
        System.setProperty("mlx.resident.maxBytes", "0");
        try {
            assertFalse(ResidentSplit.fits(split));
        } finally {
            if (old == null) {
                System.clearProperty("mlx.resident.maxBytes");
            } else {
                System.setProperty("mlx.resident.maxBytes", old);
            }
        }
    }
}
