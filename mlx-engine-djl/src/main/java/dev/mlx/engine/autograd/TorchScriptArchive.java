package dev.mlx.engine.autograd;

import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.JniUtils;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Builds and loads a one-class TorchScript archive from its source, without Python: the four files
 * {@code torch.jit.save} writes for a module without parameters ({@code version},
 * {@code constants.pkl}, {@code data.pkl} pickling an instance of the class, and
 * {@code code/__torch__.py}). libtorch compiles the source when it loads the archive.
 */
final class TorchScriptArchive {
    /** An empty tuple, pickled (protocol 2). */
    private static final byte[] CONSTANTS_PKL = {(byte) 0x80, 2, ')', '.'};

    private TorchScriptArchive() {}

    /**
     * The source of a module without parameters or buffers, as {@code torch.jit.save} writes it.
     *
     * @param className the class's name (in {@code __torch__})
     * @param parameters the parameters of {@code forward} after {@code self}, each {@code "name: Type"}
     * @param returnType the type {@code forward} returns
     * @param body the statements of {@code forward}, one per line (nested blocks indented by the caller)
     * @return the source of {@code code/__torch__.py}
     */
    static String statelessModule(String className, List<String> parameters, String returnType, String... body) {
        StringBuilder code = new StringBuilder()
                .append("class ").append(className).append("(Module):\n")
                .append("  __parameters__ = []\n")
                .append("  __buffers__ = []\n")
                .append("  training : bool\n")
                .append("  _is_full_backward_hook : Optional[bool]\n")
                .append("  def forward(self: __torch__.").append(className).append(",\n");
        for (int i = 0; i < parameters.size(); i++) {
            code.append("    ").append(parameters.get(i))
                    .append(i + 1 < parameters.size() ? ",\n" : ") -> " + returnType + ":\n");
        }
        for (String line : body) {
            code.append("    ").append(line).append('\n');
        }
        return code.toString();
    }

    /**
     * @param manager a PyTorch-engine manager that outlives the module
     * @param className the class defined by {@code code} (in {@code __torch__})
     * @param code the TorchScript source of {@code code/__torch__.py}
     * @return the loaded module
     */
    static PtSymbolBlock load(NDManager manager, String className, String code) {
        try {
            return JniUtils.loadModule((PtNDManager) manager, new ByteArrayInputStream(bytes(className, code)), true,
                    false);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return the bytes of the archive */
    static byte[] bytes(String className, String code) {
        String folder = className.toLowerCase(java.util.Locale.ROOT);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            put(zip, folder + "/version", "3\n".getBytes(StandardCharsets.US_ASCII));
            put(zip, folder + "/constants.pkl", CONSTANTS_PKL);
            put(zip, folder + "/data.pkl", instancePickle(className));
            put(zip, folder + "/code/__torch__.py", code.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /**
     * The pickle (protocol 2) of {@code __torch__.<className>} with the two attributes every
     * scripted module has: {@code training = True} and {@code _is_full_backward_hook = None}.
     */
    private static byte[] instancePickle(String className) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x80, 2});
        out.writeBytes(("c__torch__\n" + className + "\n").getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(new byte[] {'q', 0, ')', (byte) 0x81, '}', '('});
        field(out, "training", 1);
        out.write((byte) 0x88); // True
        field(out, "_is_full_backward_hook", 2);
        out.write('N'); // None
        out.writeBytes(new byte[] {'u', 'b', 'q', 3, '.'});
        return out.toByteArray();
    }

    /** A BINUNICODE key followed by BINPUT {@code memo}. */
    private static void field(ByteArrayOutputStream out, String name, int memo) {
        byte[] utf8 = name.getBytes(StandardCharsets.UTF_8);
        out.write('X');
        out.writeBytes(new byte[] {(byte) utf8.length, 0, 0, 0});
        out.writeBytes(utf8);
        out.writeBytes(new byte[] {'q', (byte) memo});
    }

    private static void put(ZipOutputStream zip, String name, byte[] data) throws IOException {
        ZipEntry entry = new ZipEntry(name);
        entry.setTime(0L);
        zip.putNextEntry(entry);
        zip.write(data);
        zip.closeEntry();
    }
}
