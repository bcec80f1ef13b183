package dev.mlx.engine.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.mlx.api.error.MlxException;
import dev.mlx.api.model.Architecture;
import dev.mlx.api.model.LayerSpec;
import dev.mlx.api.model.LayerSpec.BatchNormMode;
import dev.mlx.api.model.PretrainedWeights;
import dev.mlx.engine.MlxEngine;
import dev.mlx.engine.testkit.SafetensorsFixture;
import dev.mlx.engine.testkit.SharedEngine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Loading a torchvision ResNet state dict from a safetensors file the test writes, into a small
 * network with torchvision's layout (a stem, a stage of identity blocks, a stage whose first
 * block has a downsample shortcut, and {@code fc}): every tensor lands where a hand-written table
 * of torchvision-to-network names says (checked value by value and by a forward pass against a
 * network given the same values directly), a classifier with another class count is skipped with
 * a log line, a checkpoint that covers everything needs no file, and a missing, unexpected or
 * wrongly shaped tensor fails naming it.
 */
class TorchvisionWeightsTest {
    @TempDir
    Path dir;

    /** torchvision name -> network name, written out by hand (not derived from the code under test). */
    private static final Map<String, String> NAMES = new LinkedHashMap<>();

    static {
        NAMES.put("conv1.weight", "layer0.weight");
        bn("bn1", "layer1");
        NAMES.put("layer1.0.conv1.weight", "layer4.body.0.weight");
        bn("layer1.0.bn1", "layer4.body.1");
        NAMES.put("layer1.0.conv2.weight", "layer4.body.3.weight");
        bn("layer1.0.bn2", "layer4.body.4");
        NAMES.put("layer1.1.conv1.weight", "layer6.body.0.weight");
        bn("layer1.1.bn1", "layer6.body.1");
        NAMES.put("layer1.1.conv2.weight", "layer6.body.3.weight");
        bn("layer1.1.bn2", "layer6.body.4");
        NAMES.put("layer2.0.conv1.weight", "layer8.body.0.weight");
        bn("layer2.0.bn1", "layer8.body.1");
        NAMES.put("layer2.0.conv2.weight", "layer8.body.3.weight");
        bn("layer2.0.bn2", "layer8.body.4");
        NAMES.put("layer2.0.downsample.0.weight", "layer8.shortcut.0.weight");
        bn("layer2.0.downsample.1", "layer8.shortcut.1");
        NAMES.put("fc.weight", "layer13.weight");
        NAMES.put("fc.bias", "layer13.bias");
    }

    private static void bn(String tv, String ours) {
        for (String t : List.of("weight", "bias", "running_mean", "running_var", "num_batches_tracked")) {
            NAMES.put(tv + "." + t, ours + "." + t);
        }
    }

    private static LayerSpec.Residual block(int in, int out, int stride) {
        BatchNormMode eval = BatchNormMode.EVAL;
        return new LayerSpec.Residual(List.of(new LayerSpec.Conv2d(in, out, 3, stride, 1, false),
                new LayerSpec.BatchNorm2d(out, eval), new LayerSpec.Relu(), new LayerSpec.Conv2d(out, out, 3, 1, 1, false),
                new LayerSpec.BatchNorm2d(out, eval)),
                in == out && stride == 1 ? List.of()
                        : List.of(new LayerSpec.Conv2d(in, out, 1, stride, 0, false), new LayerSpec.BatchNorm2d(out, eval)));
    }

    private static Architecture architecture(int classes, Path weights) {
        return new Architecture(List.of(new LayerSpec.Conv2d(3, 4, 3, 2, 1, false),
                new LayerSpec.BatchNorm2d(4, BatchNormMode.EVAL), new LayerSpec.Relu(), new LayerSpec.MaxPool2d(3, 2, 1),
                block(4, 4, 1), new LayerSpec.Relu(), block(4, 4, 1), new LayerSpec.Relu(), block(4, 8, 2),
                new LayerSpec.Relu(), new LayerSpec.GlobalAvgPool2d(), new LayerSpec.Flatten(), new LayerSpec.Dropout(0.5),
                new LayerSpec.Linear(8, classes)), 0, weights == null ? null : new PretrainedWeights(weights));
    }

    /** The torchvision state dict of {@link #architecture}: value j of tensor i is a known function of (i, j). */
    private record StateDict(SafetensorsFixture fixture, Map<String, float[]> byNetworkName) {}

    private static StateDict stateDict(int classes, Map<String, long[]> shapeOverride, List<String> omit,
            List<String> extra) {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        try (Network net = SharedEngine.get().networks().create(architecture(classes, null), new int[] {3, 16, 16}, 0)) {
            Map<String, Shape> ours = new HashMap<>();
            net.parameters().forEach(p -> ours.put(p.name(), p.array().getShape()));
            NAMES.forEach((tv, name) -> shapes.put(tv, ours.get(name).getShape()));
        }
        shapes.putAll(shapeOverride);
        SafetensorsFixture fixture = new SafetensorsFixture().metadata("format", "pt");
        Map<String, float[]> values = new HashMap<>();
        int i = 0;
        for (Map.Entry<String, long[]> e : shapes.entrySet()) {
            String tv = e.getKey();
            i++;
            if (omit.contains(tv)) {
                continue;
            }
            long size = 1;
            for (long d : e.getValue()) {
                size *= d;
            }
            double[] v = new double[(int) size];
            String dtype;
            if (tv.endsWith("num_batches_tracked")) {
                dtype = "I64";
                v[0] = 1000 + i;
            } else if (tv.endsWith("running_var")) {
                dtype = "F16";
                for (int j = 0; j < v.length; j++) {
                    v[j] = 0.5 + j / 8.0;
                }
            } else {
                dtype = tv.startsWith("fc") ? "F64" : tv.contains("bn") ? "BF16" : "F32";
                for (int j = 0; j < v.length; j++) {
                    v[j] = tv.contains("bn") || tv.contains("downsample.1") ? (j % 5 - 2) / 4.0
                            : Math.sin(31 * i + j) / 3;
                }
            }
            fixture.add(tv, dtype, e.getValue(), v);
            float[] f = new float[v.length];
            for (int j = 0; j < v.length; j++) {
                f[j] = (float) v[j];
            }
            values.put(NAMES.getOrDefault(tv, tv), f);
        }
        extra.forEach(name -> fixture.add(name, "F32", new long[] {1}, 1));
        return new StateDict(fixture, values);
    }

    @Test
    void everyTensorLandsWhereTorchvisionPutsIt() throws IOException {
        MlxEngine engine = SharedEngine.get();
        StateDict sd = stateDict(3, Map.of(), List.of(), List.of());
        Path file = sd.fixture().write(dir.resolve("resnet.safetensors"));
        try (Network loaded = engine.networks().create(architecture(3, file), new int[] {3, 16, 16}, 7);
                Network direct = engine.networks().create(architecture(3, null), new int[] {3, 16, 16}, 7,
                        sd.byNetworkName());
                Network seeded = engine.networks().create(architecture(3, null), new int[] {3, 16, 16}, 7);
                NDManager m = engine.manager().newSubManager()) {
            assertEquals(NAMES.size(), loaded.parameters().size());
            for (Parameter p : loaded.parameters()) {
                assertArrayEquals(sd.byNetworkName().get(p.name()), p.array().toFloatArray(), p.name());
            }
            assertEquals(1006f, loaded.parameters().get(5).array().toFloatArray()[0], "bn1.num_batches_tracked, the 6th tensor (I64)");
            NDArray x = m.randomUniform(0, 1, new Shape(2, 3, 16, 16));
            float[] got = loaded.logits(x).toFloatArray();
            assertArrayEquals(direct.logits(x).toFloatArray(), got, 0f);
            assertFalse(java.util.Arrays.equals(seeded.logits(x).toFloatArray(), got), "the weights replace the seed's");
        }
    }

    @Test
    void aClassifierWithAnotherClassCountIsSkippedWithALogLine() throws IOException {
        MlxEngine engine = SharedEngine.get();
        StateDict sd = stateDict(5, Map.of(), List.of(), List.of());
        Path file = sd.fixture().write(dir.resolve("five.safetensors"));
        Logger logger = (Logger) LoggerFactory.getLogger(TorchvisionWeights.class);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        try (Network loaded = engine.networks().create(architecture(3, file), new int[] {3, 16, 16}, 7);
                Network seeded = engine.networks().create(architecture(3, null), new int[] {3, 16, 16}, 7)) {
            assertArrayEquals(sd.byNetworkName().get("layer8.body.0.weight"),
                    loaded.parameters().stream().filter(p -> p.name().equals("layer8.body.0.weight")).findFirst()
                            .orElseThrow().array().toFloatArray());
            int fc = loaded.parameters().size() - 2;
            assertArrayEquals(seeded.parameters().get(fc).array().toFloatArray(),
                    loaded.parameters().get(fc).array().toFloatArray(), "fc keeps the seeded initialisation");
            assertTrue(appender.list.stream().anyMatch(e -> e.getFormattedMessage().contains("classifier fc has 5 classes"
                    + " but the model has 3")), "log: " + appender.list);
        } finally {
            logger.detachAppender(appender);
        }
    }

    @Test
    void aCheckpointCoveringEveryTensorNeedsNoFile() {
        MlxEngine engine = SharedEngine.get();
        StateDict sd = stateDict(3, Map.of(), List.of(), List.of());
        Path gone = dir.resolve("deleted.safetensors");
        try (Network net = engine.networks().create(architecture(3, gone), new int[] {3, 16, 16}, 7,
                sd.byNetworkName())) {
            assertArrayEquals(sd.byNetworkName().get("layer0.weight"), net.parameters().get(0).array().toFloatArray());
        }
        MlxException e = assertThrows(MlxException.class,
                () -> engine.networks().create(architecture(3, gone), new int[] {3, 16, 16}, 7));
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
    }

    private MlxException loadFailure(StateDict sd) throws IOException {
        Path file = sd.fixture().write(Files.createTempFile(dir, "bad", ".safetensors"));
        return assertThrows(MlxException.class,
                () -> SharedEngine.get().networks().create(architecture(3, file), new int[] {3, 16, 16}, 7));
    }

    @Test
    void missingUnexpectedAndMisshapenTensorsFailNamingTheTensor() throws IOException {
        MlxException missing = loadFailure(stateDict(3, Map.of(), List.of("layer2.0.downsample.1.running_var"),
                List.of()));
        assertTrue(missing.getMessage().contains("has no tensor layer2.0.downsample.1.running_var"),
                missing.getMessage());
        MlxException unexpected = loadFailure(stateDict(3, Map.of(), List.of(), List.of("layer3.0.conv1.weight")));
        assertTrue(unexpected.getMessage().contains("holds tensor layer3.0.conv1.weight"), unexpected.getMessage());
        MlxException shape = loadFailure(stateDict(3, Map.of("layer1.1.conv2.weight", new long[] {4, 4, 5, 5}),
                List.of(), List.of()));
        assertTrue(shape.getMessage().contains("tensor layer1.1.conv2.weight has shape [4, 4, 5, 5] but the model needs"
                + " [4, 4, 3, 3]"), shape.getMessage());
        MlxException fcInputs = loadFailure(stateDict(3, Map.of("fc.weight", new long[] {3, 9}), List.of(), List.of()));
        assertTrue(fcInputs.getMessage().contains("tensor fc.weight has shape [3, 9]"), fcInputs.getMessage());
    }

    @Test
    void anArchitectureWithoutTheTorchvisionLayoutIsRefused() {
        Architecture mlp = new Architecture(List.of(new LayerSpec.Flatten(), new LayerSpec.Linear(4, 2)), 0,
                new PretrainedWeights(dir.resolve("w.safetensors")));
        MlxException e = assertThrows(MlxException.class, () -> TorchvisionWeights.targets(mlp));
        assertTrue(e.getMessage().contains("torchvision ResNet layout"), e.getMessage());
    }
}
