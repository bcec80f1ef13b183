package dev.mlx.engine.torchsave;

import dev.mlx.api.error.MlxException;
import dev.mlx.engine.torchsave.StateDictUnpickler.StorageRef;
import dev.mlx.engine.torchsave.StateDictUnpickler.TensorRef;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * Reads a {@code torch.save(state_dict)} file in the zip format of PyTorch 1.6 and later (e.g. a
 * HuggingFace {@code pytorch_model.bin}):
 *
 * <pre>
 * &lt;prefix&gt;/data.pkl      the pickled state dict; each tensor is
 *                         _rebuild_tensor_v2(storage, offset, size, stride, ...) with the storage a
 *                         persistent id ('storage', torch.FloatStorage, key, location, numel)
 * &lt;prefix&gt;/data/&lt;key&gt;    the storage's numel * element-size bytes, little-endian
 * &lt;prefix&gt;/byteorder     "little" (absent in files of PyTorch before 2.1, which are little-endian)
 * </pre>
 *
 * The pickle is interpreted by {@link StateDictUnpickler}, which never runs pickled code. Tensor
 * {@code t} holds, at multi-index {@code (i_0, ..., i_{n-1})}, the storage element
 * {@code offset + sum_k i_k * stride_k}, so views, shared storages and non-contiguous strides are
 * read as PyTorch sees them; the result is row-major. A truncated archive, a missing or short
 * storage, an index outside its storage and the pre-1.6 (non-zip) format are each a user-error
 * {@link MlxException} naming the file and the fix.
 */
public final class TorchSaveReader {
    private static final String DATA_PKL = "data.pkl";
    private static final int LEGACY_PICKLE_START = 0x80;

    private TorchSaveReader() {}

    /**
     * @param file a {@code torch.save} zip archive of a state dict
     * @return the tensors by state-dict key, in the pickled order
     * @throws MlxException (user error) if the file is missing, not a zip state dict or damaged
     */
    public static Map<String, TorchTensor> read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw MlxException.userError("the PyTorch checkpoint " + file + " does not exist");
        }
        String source = file.toString();
        checkZipMagic(file);
        try (ZipFile zip = new ZipFile(file.toFile())) {
            String prefix = prefix(zip, source);
            checkByteOrder(zip, prefix, source);
            Map<String, TensorRef> refs = StateDictUnpickler.read(bytes(zip, prefix + DATA_PKL, source), source);
            Map<String, ByteBuffer> storages = new HashMap<>();
            Map<String, StorageRef> described = new HashMap<>();
            Map<String, TorchTensor> tensors = new LinkedHashMap<>();
            for (Map.Entry<String, TensorRef> e : refs.entrySet()) {
                TensorRef t = e.getValue();
                StorageRef first = described.putIfAbsent(t.storage().key(), t.storage());
                if (first != null && !first.equals(t.storage())) {
                    throw StateDictUnpickler.bad(source, "tensor " + e.getKey() + " describes storage "
                            + t.storage().key() + " as " + t.storage() + " but an earlier tensor as " + first);
                }
                ByteBuffer storage = storages.get(t.storage().key());
                if (storage == null) {
                    storage = storage(zip, prefix, t.storage(), e.getKey(), source);
                    storages.put(t.storage().key(), storage);
                }
                tensors.put(e.getKey(), materialise(e.getKey(), t, storage, source));
            }
            return tensors;
        } catch (ZipException e) {
            throw MlxException.userError(source + " is not a complete zip archive (" + e.getMessage() + "); the file"
                    + " is probably truncated: copy or download it again");
        } catch (IOException e) {
            throw MlxException.userError("cannot read the PyTorch checkpoint " + source + ": " + e.getMessage(), e);
        }
    }

    /**
     * @param file a file
     * @return whether it starts like a zip archive ({@code PK\3\4})
     */
    public static boolean isZip(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] head = in.readNBytes(4);
            return head.length == 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4;
        } catch (IOException e) {
            throw MlxException.userError("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * @param file a zip archive
     * @return the names of its entries
     */
    public static List<String> entryNames(Path file) {
        try (ZipFile zip = new ZipFile(file.toFile())) {
            List<String> names = new ArrayList<>();
            for (Enumeration<? extends ZipEntry> en = zip.entries(); en.hasMoreElements();) {
                names.add(en.nextElement().getName());
            }
            return names;
        } catch (IOException e) {
            throw MlxException.userError(file + " is not a complete zip archive (" + e.getMessage() + "); the file"
                    + " is probably truncated: copy or download it again");
        }
    }

    private static void checkZipMagic(Path file) {
        if (isZip(file)) {
            return;
        }
        int first;
        try (InputStream in = Files.newInputStream(file)) {
            first = in.read();
        } catch (IOException e) {
            throw MlxException.userError("cannot read " + file + ": " + e.getMessage(), e);
        }
        if (first == LEGACY_PICKLE_START) {
            throw MlxException.userError(file + " is in the legacy (pre-1.6, non-zip) torch.save format, which mlx does"
                    + " not read; re-save it with a recent PyTorch (torch.save(torch.load(path), path)) or convert it"
                    + " to model.safetensors (safetensors.torch.save_file(state_dict, 'model.safetensors'))");
        }
        throw MlxException.userError(file + " is not a torch.save file (it is not a zip archive); save the state dict"
                + " with torch.save(model.state_dict(), path) or use model.safetensors");
    }

    /** @return the archive's folder prefix, e.g. {@code archive/}, from its single {@code data.pkl} */
    private static String prefix(ZipFile zip, String source) {
        List<String> found = new ArrayList<>();
        for (Enumeration<? extends ZipEntry> en = zip.entries(); en.hasMoreElements();) {
            String name = en.nextElement().getName();
            int slash = name.indexOf('/');
            if (slash > 0 && name.substring(slash + 1).equals(DATA_PKL)) {
                found.add(name.substring(0, slash + 1));
            }
        }
        if (found.size() != 1) {
            throw StateDictUnpickler.bad(source, found.isEmpty() ? "the zip archive has no <folder>/data.pkl"
                    : "the zip archive has " + found.size() + " data.pkl files " + found);
        }
        return found.get(0);
    }

    private static void checkByteOrder(ZipFile zip, String prefix, String source) throws IOException {
        ZipEntry entry = zip.getEntry(prefix + "byteorder");
        if (entry != null) {
            String order = new String(bytes(zip, entry.getName(), source), StandardCharsets.US_ASCII).trim();
            if (!order.equals("little")) {
                throw MlxException.userError(source + " stores its tensors " + order + "-endian; mlx reads"
                        + " little-endian files only: re-save it on a little-endian machine or convert it to"
                        + " model.safetensors");
            }
        }
    }

    private static byte[] bytes(ZipFile zip, String name, String source) throws IOException {
        ZipEntry entry = zip.getEntry(name);
        if (entry == null) {
            throw StateDictUnpickler.bad(source, "the zip archive has no entry " + name);
        }
        try (InputStream in = zip.getInputStream(entry)) {
            byte[] b = in.readAllBytes();
            if (entry.getSize() >= 0 && b.length != entry.getSize()) {
                throw MlxException.userError(source + ": the zip entry " + name + " has " + b.length + " of its "
                        + entry.getSize() + " bytes; the file is truncated, copy or download it again");
            }
            return b;
        }
    }

    private static ByteBuffer storage(ZipFile zip, String prefix, StorageRef s, String tensor, String source)
            throws IOException {
        String name = prefix + "data/" + s.key();
        if (zip.getEntry(name) == null) {
            throw MlxException.userError(source + ": the storage " + name + " of tensor " + tensor + " is missing from"
                    + " the zip archive; the file is damaged, save or download it again");
        }
        byte[] b = bytes(zip, name, source);
        long need = s.numel() * s.dtype().bytes();
        if (b.length != need) {
            throw MlxException.userError(source + ": the storage " + name + " of tensor " + tensor + " has " + b.length
                    + " bytes where " + s.numel() + " " + s.dtype().storageClass() + " elements need " + need
                    + "; the file is damaged, save or download it again");
        }
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static TorchTensor materialise(String name, TensorRef t, ByteBuffer storage, String source) {
        long[] size = t.size();
        long[] stride = t.stride();
        long count = 1;
        long last = t.offset();
        for (int k = 0; k < size.length; k++) {
            count = Math.multiplyExact(count, size[k]);
            if (size[k] > 0) {
                last += (size[k] - 1) * stride[k];
            }
        }
        if (count > Integer.MAX_VALUE) {
            throw MlxException.userError(source + ": tensor " + name + " has " + count + " elements, more than mlx"
                    + " reads into one array (2^31 - 1)");
        }
        if (count > 0 && last >= t.storage().numel()) {
            throw MlxException.userError(source + ": tensor " + name + " " + Arrays.toString(size) + " (offset "
                    + t.offset() + ", strides " + Arrays.toString(stride) + ") reaches element " + last
                    + " of a storage of " + t.storage().numel() + "; the file is damaged");
        }
        float[] values = new float[(int) count];
        long[] index = new long[size.length];
        long at = t.offset();
        for (int i = 0; i < values.length; i++) {
            values[i] = t.storage().dtype().read(storage, (int) at);
            for (int k = size.length - 1; k >= 0; k--) { // odometer over the multi-index, last axis fastest
                index[k]++;
                at += stride[k];
                if (index[k] < size[k]) {
                    break;
                }
                at -= index[k] * stride[k];
                index[k] = 0;
            }
        }
        return new TorchTensor(name, t.storage().dtype(), size, values);
    }
}
