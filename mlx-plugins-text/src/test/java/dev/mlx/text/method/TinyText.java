package dev.mlx.text.method;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.mlx.api.model.Architecture;
import dev.mlx.api.model.LayerSpec;
import dev.mlx.api.train.Batch;
import dev.mlx.api.train.TrainingContext;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Generated Decoy-style text for tests: token ids {@code [CLS] decoy w1 .. w5 [SEP] pad pad} over a
 * 40-token vocabulary (0 = pad, 1 = [CLS], 2 = [SEP], 3 = positive decoy, 4 = negative decoy, 5..39
 * words), the decoy matching the label, the mask on the decoy position; and a tiny random BERT.
 */
final class TinyText {
    static final int VOCAB = 40;
    static final int LENGTH = 10;

    private TinyText() {}

    /** A 2-layer, hidden-32, 4-head BERT (random weights) with a Linear(32, 2) head. */
    static Architecture bert() {
        return new Architecture(List.of(new LayerSpec.TextEncoder("random", VOCAB, 32, 2, 4, 64, 16, "cls", 0),
                new LayerSpec.Linear(32, 16), new LayerSpec.Relu(), new LayerSpec.Linear(16, 2)));
    }

    static Batch batch(NDManager manager, int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] ids = new float[n * LENGTH];
        float[] masks = new float[n * LENGTH];
        long[] labels = new long[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % 2;
            int o = i * LENGTH;
            ids[o] = 1;
            ids[o + 1] = labels[i] == 1 ? 3 : 4;
            masks[o + 1] = 1;
            int words = 3 + random.nextInt(4);
            for (int w = 0; w < words; w++) {
                ids[o + 2 + w] = 5 + random.nextInt(VOCAB - 5);
            }
            ids[o + 2 + words] = 2;
        }
        return new Batch(manager.create(ids, new Shape(n, LENGTH)), manager.create(labels),
                manager.create(masks, new Shape(n, LENGTH)));
    }

    static TrainingContext context(NDManager manager, long seed) {
        return new TrainingContext(0, 1, 0, 2, seed, manager);
    }

    static double scalar(NDArray a) {
        return a.toType(DataType.FLOAT64, false).getDouble();
    }
}
