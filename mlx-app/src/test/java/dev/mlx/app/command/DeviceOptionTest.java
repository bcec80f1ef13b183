package dev.mlx.app.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlx.app.plugin.PluginKind;
import dev.mlx.app.plugin.PluginRegistry;
import dev.mlx.app.testing.CliRun;
import dev.mlx.app.testing.TinyDecoyProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --device} on a machine without a GPU (this one): auto and cpu train on the CPU and record it
 * in config.json and report.json; cuda ends with exit 3 and one line naming what was found and the
 * fix, before anything is written; a malformed device is exit 2.
 */
class DeviceOptionTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Consumer<PluginRegistry.Builder> TINY =
            b -> b.add(PluginKind.DATASET, new TinyDecoyProvider(), "test");

    @TempDir
    Path tmp;

    private CliRun train(Path out, String... extra) {
        List<String> all = new ArrayList<>(List.of("train", "--dataset", "tiny-decoy", "--dataset-param",
                "train-size=60", "--dataset-param", "test-size=30", "--epochs", "1", "--out", out.toString(),
                "--plugins-dir", tmp.resolve("no-plugins").toString(), "--cache-dir", tmp.resolve("cache").toString()));
        all.addAll(Arrays.asList(extra));
        return CliRun.of(TINY, all.toArray(String[]::new));
    }

    @Test
    void autoAndCpuRunOnTheCpuAndRecordIt() throws IOException {
        for (String device : new String[] {"auto", "cpu"}) {
            Path out = tmp.resolve(device);
            CliRun r = train(out, "--device", device);
            assertEquals(0, r.exitCode(), r::toString);
            assertEquals("cpu", JSON.readTree(out.resolve("config.json").toFile()).get("device").asText());
            assertEquals("cpu", JSON.readTree(out.resolve("report.json").toFile()).get("config").get("device")
                    .asText());
        }
    }

    @Test
    void cudaWithoutAGpuIsExit3WithWhatWasFoundAndTheFix() {
        Path out = tmp.resolve("cuda");
        CliRun r = train(out, "--device", "cuda");
        assertEquals(3, r.exitCode(), r::toString);
        String error = r.singleError();
        assertTrue(error.contains("--device cuda:0: no usable CUDA GPU (found 0 GPUs with the cpu build of libtorch"),
                error);
        assertTrue(error.contains("-Pcuda") && error.contains("PYTORCH_LIBRARY_PATH"), error);
        assertFalse(Files.exists(out), "nothing is written");
    }

    @Test
    void aMalformedDeviceIsAUserError() {
        CliRun r = train(tmp.resolve("bad"), "--device", "cuda:x");
        assertEquals(2, r.exitCode(), r::toString);
        assertTrue(r.singleError().contains("auto, cpu, cuda or cuda:N"), r.singleError());
    }
}
