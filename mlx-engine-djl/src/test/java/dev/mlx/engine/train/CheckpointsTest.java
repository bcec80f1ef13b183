package dev.mlx.engine.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.mlx.api.error.MlxException;
import dev.mlx.engine.io.Checkpoints;
import dev.mlx.engine.nn.Network;
import dev.mlx.engine.testkit.SharedEngine;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointsTest {
    @TempDir
    Path dir;

    @Test
    void weightsRoundTripIntoAnIdenticalNetwork() throws Exception {
        Path file = dir.resolve("model.params");
        try (Network a = SharedEngine.get().networks().create(TrainerTest.MLP, new int[] {1, 8, 8}, 5)) {
            Map<String, float[]> values = Checkpoints.snapshot(a);
            try (OutputStream out = Files.newOutputStream(file)) {
                Checkpoints.write(out, values);
            }
            Map<String, float[]> read = Checkpoints.read(file);
            try (Network b = SharedEngine.get().networks().create(TrainerTest.MLP, new int[] {1, 8, 8}, 99, read);
                    NDManager m = SharedEngine.get().manager().newSubManager()) {
                var x = m.randomUniform(0, 1, new ai.djl.ndarray.types.Shape(4, 1, 8, 8));
                assertArrayEquals(a.logits(x).toFloatArray(), b.logits(x).toFloatArray(), 0f);
            }
        }
    }

    @Test
    void missingTruncatedAndForeignFilesAreClearErrors() throws Exception {
        MlxException missing = assertThrows(MlxException.class, () -> Checkpoints.read(dir.resolve("nope")));
        assertTrue(missing.getMessage().contains("does not exist"));
        Path foreign = Files.write(dir.resolve("x.params"), new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        assertTrue(assertThrows(MlxException.class, () -> Checkpoints.read(foreign)).getMessage().contains("bad magic"));
        Path full = dir.resolve("full.params");
        try (Network a = SharedEngine.get().networks().create(TrainerTest.MLP, new int[] {1, 8, 8}, 5);
                OutputStream out = Files.newOutputStream(full)) {
            Checkpoints.write(out, Checkpoints.snapshot(a));
        }
        byte[] bytes = Files.readAllBytes(full);
        Path truncated = Files.write(dir.resolve("t.params"), java.util.Arrays.copyOf(bytes, bytes.length / 2));
        assertTrue(assertThrows(MlxException.class, () -> Checkpoints.read(truncated)).getMessage().contains("truncated"));
        Map<String, float[]> wrong = Map.of("layer1.weight", new float[3]);
        assertTrue(assertThrows(MlxException.class, () -> SharedEngine.get().networks()
                .create(TrainerTest.MLP, new int[] {1, 8, 8}, 1, wrong)).getMessage().contains("does not match"));
    }
}
