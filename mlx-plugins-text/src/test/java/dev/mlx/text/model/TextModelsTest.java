package dev.mlx.text.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mlx.api.data.DataSplit;
import dev.mlx.api.error.MlxException;
import dev.mlx.api.model.Architecture;
import dev.mlx.api.model.LayerSpec;
import dev.mlx.api.param.HyperParameters;
import dev.mlx.engine.MlxEngine;
import dev.mlx.engine.nn.Network;
import dev.mlx.engine.testkit.SharedEngine;
import dev.mlx.engine.train.EpochMetrics;
import dev.mlx.engine.train.Trainer;
import dev.mlx.engine.train.TrainingConfig;
import dev.mlx.engine.train.TrainingListener;
import dev.mlx.text.method.TokenRrrProvider;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TextModelsTest {
    @Test
    void minilmIsTheSixLayerEncoderWithThePapersHead() {
        MiniLmProvider p = new MiniLmProvider();
        Architecture a = p.build(p.parameters().defaults(), new int[] {128}, 2);
        LayerSpec.TextEncoder e = (LayerSpec.TextEncoder) a.layers().get(0);
        assertEquals(6, e.layers());
        assertEquals(384, e.hidden());
        assertEquals(new LayerSpec.Linear(192, 2), a.layers().get(3));
        MlxException tooLong = assertThrows(MlxException.class,
                () -> p.build(p.parameters().defaults(), new int[] {600}, 2));
        assertTrue(tooLong.getMessage().contains("max-length"), tooLong.getMessage());
        assertThrows(MlxException.class, () -> p.build(p.parameters().defaults(), new int[] {1, 28, 28}, 10));
    }

    @Test
    void aTinyBertTrainsWithTokenRrrThroughTheEngineTrainer() {
        MlxEngine engine = SharedEngine.get();
        TinyBertProvider provider = new TinyBertProvider();
        HyperParameters hp = provider.parameters().bind(provider.name(), Map.of("hidden", "16", "layers", "1"));
        int n = 16;
        int length = 8;
        float[] ids = new float[n * length];
        float[] masks = new float[n * length];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % 2;
            ids[i * length] = 101;
            ids[i * length + 1] = labels[i] == 1 ? 28740 : 15617;
            masks[i * length + 1] = 1;
            ids[i * length + 2] = 2000 + i;
            ids[i * length + 3] = 102;
        }
        DataSplit split = new DataSplit("gen", new int[] {length}, ids, masks, labels, labels.clone(), 2, 2);
        Architecture arch = provider.build(hp, new int[] {length}, 2);
        TokenRrrProvider rrr = new TokenRrrProvider();
        try (Network net = engine.networks().create(arch, new int[] {length}, 1)) {
            float[] before = net.parameters().get(net.parameters().size() - 2).array().toFloatArray();
            List<EpochMetrics> history = new Trainer(new TrainingConfig(2, 8, 1e-3, 0, 1)).train(net, split, split,
                    rrr.create(rrr.parameters().defaults()), new TrainingListener() {});
            assertEquals(2, history.size());
            for (EpochMetrics m : history) {
                assertTrue(Double.isFinite(m.taskLoss()) && Double.isFinite(m.penalty()) && m.penalty() > 0, m.toString());
            }
            float[] after = net.parameters().get(net.parameters().size() - 2).array().toFloatArray();
            assertNotEquals(before[0], after[0], "the head must have been updated");
        }
    }
}
