package dev.mlx.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import dev.mlx.api.error.ErrorKind;
import dev.mlx.api.error.MlxException;
import org.junit.jupiter.api.Test;

/** {@code --device}: what it accepts, and what it resolves to with and without GPUs. */
class DeviceRequestTest {
    @Test
    void parsesTheDocumentedForms() {
        assertEquals(DeviceRequest.AUTO, DeviceRequest.parse("auto"));
        assertEquals(DeviceRequest.AUTO, DeviceRequest.parse(null));
        assertEquals(DeviceRequest.CPU, DeviceRequest.parse(" CPU "));
        assertEquals(new DeviceRequest("cuda:0", 0), DeviceRequest.parse("cuda"));
        assertEquals(new DeviceRequest("cuda:0", 0), DeviceRequest.parse("gpu"));
        assertEquals(new DeviceRequest("cuda:3", 3), DeviceRequest.parse("cuda:3"));
        MlxException bad = assertThrows(MlxException.class, () -> DeviceRequest.parse("tpu"));
        assertEquals(ErrorKind.USER, bad.kind());
        assertTrue(bad.getMessage().contains("auto, cpu, cuda or cuda:N"), bad.getMessage());
        assertThrows(MlxException.class, () -> DeviceRequest.parse("cuda:-1"));
        assertThrows(MlxException.class, () -> DeviceRequest.parse("cuda:x"));
    }

    @Test
    void autoTakesTheFirstGpuWhenThereIsOneElseTheCpu() {
        assertEquals(Device.cpu(), DeviceRequest.AUTO.resolve(0, () -> "cpu natives"));
        assertEquals(Device.gpu(0), DeviceRequest.AUTO.resolve(2, () -> "cu128 natives"));
        assertEquals(Device.cpu(), DeviceRequest.CPU.resolve(2, () -> "cu128 natives"));
        assertEquals(Device.gpu(1), DeviceRequest.parse("cuda:1").resolve(2, () -> "cu128 natives"));
    }

    @Test
    void aGpuThatIsNotThereIsAResourceErrorNamingWhatWasFoundAndTheFix() {
        MlxException e = assertThrows(MlxException.class,
                () -> DeviceRequest.parse("cuda").resolve(0, () -> "the cpu build of libtorch 2.7.1 from /x"));
        assertEquals(ErrorKind.RESOURCES, e.kind());
        for (String part : new String[] {"--device cuda:0", "found 0 GPUs", "the cpu build of libtorch 2.7.1",
            "cuda profile", "PYTORCH_LIBRARY_PATH", "PYTORCH_FLAVOR=cu128", "--device cpu"}) {
            assertTrue(e.getMessage().contains(part), part + " in: " + e.getMessage());
        }
        MlxException second = assertThrows(MlxException.class,
                () -> DeviceRequest.parse("cuda:2").resolve(2, () -> "the cu128 build"));
        assertTrue(second.getMessage().contains("found 2 GPUs"), second.getMessage());
    }
}
