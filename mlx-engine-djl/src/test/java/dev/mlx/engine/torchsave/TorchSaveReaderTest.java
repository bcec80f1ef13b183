package dev.mlx.engine.torchsave;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mlx.api.error.MlxException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reads files written by PyTorch 1.13's {@code torch.save} (made by
 * {@code src/test/resources/bert-tiny-torch/make_fixtures.py}) and checks every element type,
 * views with offsets and strides, and the refusals.
 */
class TorchSaveReaderTest {
    private static final String FIXTURES = "bert-tiny-torch/";

    static Path fixture(String name, Path dir) throws IOException {
        Path out = dir.resolve(name);
        try (InputStream in = TorchSaveReaderTest.class.getClassLoader().getResourceAsStream(FIXTURES + name)) {
            if (in == null) {
                throw new IOException("no test resource " + FIXTURES + name);
            }
            Files.copy(in, out);
        }
        return out;
    }

    @Test
    void everyElementTypeAndViewReadsAsPyTorchWroteIt(@TempDir Path dir) throws IOException {
        Map<String, TorchTensor> t = TorchSaveReader.read(fixture("dtypes.bin", dir));
        assertEquals(List.of("half", "bfloat16", "int", "long", "double", "transposed", "offset", "scalar",
                "parameter"),
                List.copyOf(t.keySet()));
        assertEquals(TorchDType.HALF, t.get("half").dtype());
        assertArrayEquals(new float[] {1.5f, -2.25f, 65504f, 0x1p-24f}, t.get("half").values());
        assertEquals(TorchDType.BFLOAT16, t.get("bfloat16").dtype());
        assertArrayEquals(new float[] {1.5f, -3f, 0x1p100f}, t.get("bfloat16").values());
        assertEquals(TorchDType.INT, t.get("int").dtype());
        assertArrayEquals(new long[] {2, 2}, t.get("int").shape());
        assertArrayEquals(new float[] {-7, 0, 5, 1 << 20}, t.get("int").values());
        assertArrayEquals(new float[] {1 << 24, -3}, t.get("long").values());
        assertEquals(TorchDType.DOUBLE, t.get("double").dtype());
        assertArrayEquals(new float[] {0.1f, Float.NEGATIVE_INFINITY}, t.get("double").values());
        // base = arange(12).reshape(3, 4); base.t() has strides [1, 4]
        assertArrayEquals(new long[] {4, 3}, t.get("transposed").shape());
        assertArrayEquals(new float[] {0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11}, t.get("transposed").values());
        // base.view(-1)[5:9].view(2, 2): storage offset 5 into the same storage
        assertArrayEquals(new long[] {2, 2}, t.get("offset").shape());
        assertArrayEquals(new float[] {5, 6, 7, 8}, t.get("offset").values());
        assertArrayEquals(new long[0], t.get("scalar").shape());
        assertArrayEquals(new float[] {3.5f}, t.get("scalar").values());
        assertArrayEquals(new float[] {1, -2}, t.get("parameter").values());
    }

    @Test
    void aPickleNamingAnyOtherGlobalIsRefusedBeforeAnythingRuns(@TempDir Path dir) throws IOException {
        MlxException e = assertThrows(MlxException.class, () -> TorchSaveReader.read(fixture("evil.bin", dir)));
        assertTrue(e.getMessage().contains("posix.system") && e.getMessage().contains("never runs pickled code"),
                e.getMessage());
        // protocol 4: SHORT_BINUNICODE "builtins", SHORT_BINUNICODE "eval", STACK_GLOBAL
        byte[] stackGlobal = {(byte) 0x80, 4, (byte) 0x8c, 8, 'b', 'u', 'i', 'l', 't', 'i', 'n', 's', (byte) 0x8c, 4,
            'e', 'v', 'a', 'l', (byte) 0x93, '.'};
        MlxException e2 = assertThrows(MlxException.class, () -> StateDictUnpickler.read(stackGlobal, "hand.pkl"));
        assertTrue(e2.getMessage().contains("builtins.eval"), e2.getMessage());
    }

    @Test
    void unknownOpcodesAndNonTensorValuesAreRefused() {
        byte[] inst = {(byte) 0x80, 2, 'i', 'o', 's', '\n', 's', 'y', 's', 't', 'e', 'm', '\n', '.'}; // INST
        MlxException e = assertThrows(MlxException.class, () -> StateDictUnpickler.read(inst, "inst.pkl"));
        assertTrue(e.getMessage().contains("opcode 0x69 at byte 2"), e.getMessage());
        byte[] intValue = {(byte) 0x80, 2, '}', 'X', 1, 0, 0, 0, 'w', 'K', 7, 's', '.'}; // {"w": 7}
        MlxException e2 = assertThrows(MlxException.class, () -> StateDictUnpickler.read(intValue, "int.pkl"));
        assertTrue(e2.getMessage().contains("entry 'w' is the int 7, not a tensor"), e2.getMessage());
        byte[] cut = {(byte) 0x80, 2, '}', 'X', 9, 0, 0, 0, 'w'};
        MlxException e3 = assertThrows(MlxException.class, () -> StateDictUnpickler.read(cut, "cut.pkl"));
        assertTrue(e3.getMessage().contains("truncated"), e3.getMessage());
    }

    @Test
    void theLegacyFormatGetsAdviceToReSave(@TempDir Path dir) throws IOException {
        MlxException e = assertThrows(MlxException.class, () -> TorchSaveReader.read(fixture("legacy.bin", dir)));
        assertTrue(e.getMessage().contains("legacy (pre-1.6, non-zip)") && e.getMessage().contains("re-save it")
                && e.getMessage().contains("safetensors"), e.getMessage());
    }

    @Test
    void aTruncatedArchiveIsReported(@TempDir Path dir) throws IOException {
        Path file = fixture("pytorch_model.bin", dir);
        byte[] all = Files.readAllBytes(file);
        Path cut = dir.resolve("cut.bin");
        Files.write(cut, java.util.Arrays.copyOf(all, all.length / 2));
        MlxException e = assertThrows(MlxException.class, () -> TorchSaveReader.read(cut));
        assertTrue(e.getMessage().contains("cut.bin is not a complete zip archive")
                && e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void aMissingStorageNamesItsTensor(@TempDir Path dir) throws IOException {
        Path file = fixture("pytorch_model.bin", dir);
        Map<String, TorchTensor> complete = TorchSaveReader.read(file);
        assertTrue(TorchSaveReader.entryNames(file).contains("pytorch_model/data/0"));
        Path damaged = dir.resolve("damaged.bin");
        copyWithout(file, damaged, "pytorch_model/data/0");
        MlxException e = assertThrows(MlxException.class, () -> TorchSaveReader.read(damaged));
        assertTrue(e.getMessage().contains("the storage pytorch_model/data/0 of tensor " + complete.keySet().iterator()
                .next() + " is missing"), e.getMessage());
    }

    @Test
    void sharedStoragesAndNonContiguousViewsOfTheBertFixtureAreRead(@TempDir Path dir) throws IOException {
        Map<String, TorchTensor> t = TorchSaveReader.read(fixture("pytorch_model.bin", dir));
        String p = "encoder.layer.0.attention.self.";
        float[] q = t.get(p + "query.weight").values();
        float[] k = t.get(p + "key.weight").values();
        assertEquals(64, q.length);
        assertTrue(!java.util.Arrays.equals(q, k), "the views at offsets 0 and 64 must differ");
        assertArrayEquals(new long[] {32, 8}, t.get("encoder.layer.1.intermediate.dense.weight").shape());
        assertEquals(TorchDType.DOUBLE, t.get("pooler.dense.bias").dtype());
        assertEquals(TorchDType.LONG, t.get("embeddings.position_ids").dtype());
        float[] ids = t.get("embeddings.position_ids").values();
        for (int i = 0; i < ids.length; i++) {
            assertEquals(i, ids[i]);
        }
    }

    private static void copyWithout(Path from, Path to, String dropped) throws IOException {
        try (ZipFile in = new ZipFile(from.toFile());
                OutputStream raw = Files.newOutputStream(to);
                ZipOutputStream out = new ZipOutputStream(raw)) {
            for (ZipEntry e : java.util.Collections.list(in.entries())) {
                if (!e.getName().equals(dropped)) {
                    out.putNextEntry(new ZipEntry(e.getName()));
                    try (InputStream data = in.getInputStream(e)) {
                        data.transferTo(out);
                    }
                    out.closeEntry();
                }
            }
        }
        assertTrue(!TorchSaveReader.entryNames(to).contains(dropped));
    }
}
