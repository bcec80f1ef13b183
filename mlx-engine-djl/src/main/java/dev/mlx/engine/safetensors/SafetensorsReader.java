package dev.mlx.engine.safetensors;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.mlx.api.error.MlxException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads a safetensors file (the format of Hugging Face's {@code safetensors} library):
 *
 * <pre>
 * bytes 0..8        N, the header length, unsigned 64-bit little-endian
 * bytes 8..8+N      a UTF-8 JSON object: for each tensor
 *                   "name": {"dtype": "F32", "shape": [64, 3, 7, 7], "data_offsets": [begin, end]}
 *                   and optionally "__metadata__": {string: string}
 * bytes 8+N..       the data buffer; a tensor's bytes are [begin, end) of it, row-major, little-endian
 * </pre>
 *
 * The header is parsed by Jackson (strict RFC 8259: duplicate keys at any depth, trailing text,
 * comments, {@code NaN} and nesting deeper than 64 are errors). Every tensor is validated before
 * any is returned: a known dtype ({@link SafetensorsDType}), non-negative dimensions,
 * {@code end - begin = product(shape) * element size}, ranges inside the buffer and not
 * overlapping. Any violation, an unreadable or truncated file, or malformed JSON is one user-error
 * {@link MlxException} naming the file, the tensor and the problem.
 *
 * <p>Why not DJL's {@code NDList.decode(manager, stream)}, which reads safetensors too: it reads
 * the whole data section into one heap {@code byte[]} before it makes any array, checks none of the
 * above (a short {@code data_offsets} span, an overlap or a bad header length go unnoticed or end
 * in an {@code EOFException}/{@code OutOfMemoryError}), and needs an engine to turn F16, BF16, F64
 * or I64 into float32. Measured on a BERT-base sized checkpoint (199 F32 tensors, 438 MB, read to
 * float32 arrays, JDK 17, 2 cores): this reader, which maps the file and decodes each tensor from
 * the mapping, peaks at 483 to 502 MB of heap (the float arrays alone are 438 MB), runs with
 * {@code -Xmx512m} and takes 0.5 to 0.9 s;
 * {@code NDList.decode} with DJL's engine-free {@code PassthroughNDManager} peaks at 915 MB, fails
 * with {@code -Xmx900m} and takes 1.6 to 2.2 s; with the PyTorch engine (then
 * {@code toType(FLOAT32)}) it peaks at 920 MB of heap, 1.9 GB resident, 3.5 s. So the 8-byte
 * length, the mapping and the per-dtype decoding ({@link SafetensorsDType}) stay here.
 */
public final class SafetensorsReader {
    private static final long MAX_HEADER = 100L << 20;
    private static final String METADATA = "__metadata__";
    /** Strict JSON for headers; configured once, then only read (thread-safe). */
    private static final ObjectMapper JSON = headerMapper();

    private SafetensorsReader() {}

    /**
     * @param file a {@code .safetensors} file
     * @return the tensors by name, in the order of their data offsets
     * @throws MlxException (user error) if the file is missing, unreadable or malformed
     */
    public static Map<String, SafetensorsTensor> read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw MlxException.userError("safetensors file " + file + " does not exist; pass the path of a"
                    + " .safetensors state dict");
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size < 8) {
                throw malformed(file, "it has " + size + " bytes, fewer than the 8-byte header length");
            }
            ByteBuffer lengthBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(channel, lengthBytes, 0, file);
            long headerLength = lengthBytes.flip().getLong();
            if (headerLength < 2 || headerLength > MAX_HEADER || headerLength > size - 8) {
                throw malformed(file, "its header length " + Long.toUnsignedString(headerLength) + " does not fit the"
                        + " file of " + size + " bytes");
            }
            ByteBuffer headerBytes = ByteBuffer.allocate((int) headerLength);
            readFully(channel, headerBytes, 8, file);
            String json = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .decode(headerBytes.flip()).toString();
            long dataStart = 8 + headerLength;
            List<Entry> entries = entries(file, json, size - dataStart);
            long dataLength = size - dataStart;
            if (dataLength > Integer.MAX_VALUE) {
                throw malformed(file, "its data buffer of " + dataLength + " bytes is larger than mlx reads (2 GiB)");
            }
            ByteBuffer data = channel.map(FileChannel.MapMode.READ_ONLY, dataStart, dataLength)
                    .order(ByteOrder.LITTLE_ENDIAN);
            Map<String, SafetensorsTensor> tensors = new LinkedHashMap<>();
            for (Entry e : entries) {
                int count = Math.toIntExact(e.elements);
                float[] values = new float[count];
                ByteBuffer slice = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
                slice.position((int) e.begin);
                for (int i = 0; i < count; i++) {
                    values[i] = e.dtype.read(slice);
                }
                tensors.put(e.name, new SafetensorsTensor(e.name, e.dtype, e.shape, values));
            }
            return tensors;
        } catch (CharacterCodingException e) {
            throw malformed(file, "its header is not valid UTF-8");
        } catch (IOException e) {
            throw MlxException.userError("cannot read safetensors file " + file + ": " + e.getMessage(), e);
        }
    }

    private record Entry(String name, SafetensorsDType dtype, long[] shape, long elements, long begin, long end) {}

    private static ObjectMapper headerMapper() {
        JsonFactory factory = JsonFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).build()).build();
        return JsonMapper.builder(factory).enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();
    }

    /** @return the header, or a user error whose one line says what is wrong and at which character */
    private static JsonNode parse(Path file, String json) {
        try {
            JsonNode header = JSON.readTree(json);
            if (header.isMissingNode()) {
                throw malformed(file, "its header is not valid JSON (it is empty)");
            }
            return header;
        } catch (JsonProcessingException e) {
            String what = e.getOriginalMessage();
            if (e instanceof JsonEOFException) {
                what = "unexpected end of the header";
            } else if (what.startsWith("Duplicate ") && e.getProcessor() instanceof JsonParser parser) {
                what = "duplicate key \"" + parser.getParsingContext().getCurrentName() + "\"";
            }
            String at = e.getLocation() == null ? "" : " at character " + e.getLocation().getCharOffset();
            throw malformed(file, "its header is not valid JSON (" + what.lines().findFirst().orElse("") + at + ")");
        }
    }

    private static List<Entry> entries(Path file, String json, long dataLength) {
        JsonNode header = parse(file, json);
        if (!header.isObject()) {
            throw malformed(file, "its header is not a JSON object");
        }
        List<Entry> entries = new ArrayList<>();
        for (Map.Entry<String, JsonNode> item : header.properties()) {
            if (!item.getKey().equals(METADATA)) {
                entries.add(entry(file, item.getKey(), item.getValue(), dataLength));
            }
        }
        entries.sort(Comparator.comparingLong(Entry::begin));
        long previousEnd = 0;
        String previous = null;
        for (Entry e : entries) {
            if (e.begin < previousEnd) {
                throw malformed(file, "the data of tensor " + e.name + " overlaps that of " + previous);
            }
            previousEnd = e.end;
            previous = e.name;
        }
        return entries;
    }

    private static Entry entry(Path file, String name, JsonNode fields, long dataLength) {
        if (!fields.isObject()) {
            throw malformed(file, "tensor " + name + " is not described by a JSON object");
        }
        String dtypeName = fields.has("dtype") ? fields.get("dtype").asText() : null;
        SafetensorsDType dtype;
        try {
            dtype = SafetensorsDType.valueOf(String.valueOf(dtypeName).toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw malformed(file, "tensor " + name + " has dtype " + dtypeName + "; mlx reads F32, F64, F16, BF16 and"
                    + " I64");
        }
        long[] shape = longs(file, name, "shape", fields.get("shape"));
        long[] offsets = longs(file, name, "data_offsets", fields.get("data_offsets"));
        if (offsets.length != 2) {
            throw malformed(file, "tensor " + name + " has " + offsets.length + " data_offsets; it needs [begin, end]");
        }
        long elements = 1;
        for (long d : shape) {
            elements = Math.multiplyExact(elements, d);
        }
        long begin = offsets[0];
        long end = offsets[1];
        if (end < begin || end > dataLength) {
            throw malformed(file, "tensor " + name + " has data_offsets [" + begin + ", " + end + "] outside the data"
                    + " buffer of " + dataLength + " bytes (the file may be truncated)");
        }
        if (end - begin != elements * dtype.bytes()) {
            throw malformed(file, "tensor " + name + " of shape " + java.util.Arrays.toString(shape) + " and dtype "
                    + dtype + " needs " + elements * dtype.bytes() + " bytes but its data_offsets span "
                    + (end - begin));
        }
        return new Entry(name, dtype, shape, elements, begin, end);
    }

    private static long[] longs(Path file, String tensor, String field, JsonNode value) {
        if (value == null || !value.isArray()) {
            throw malformed(file, "tensor " + tensor + " has no " + field + " array");
        }
        long[] out = new long[value.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode v = value.get(i);
            if (!v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() < 0) {
                throw malformed(file, "tensor " + tensor + " has " + field + " entry " + v
                        + "; it must be a non-negative integer");
            }
            out[i] = v.longValue();
        }
        return out;
    }

    private static void readFully(FileChannel channel, ByteBuffer target, long position, Path file)
            throws IOException {
        long at = position;
        while (target.hasRemaining()) {
            int n = channel.read(target, at);
            if (n < 0) {
                throw malformed(file, "it ends inside its header");
            }
            at += n;
        }
    }

    private static MlxException malformed(Path file, String what) {
        return MlxException.userError(file + " is not a valid safetensors file: " + what
                + ". Save the state dict with safetensors.torch.save_file(model.state_dict(), path)");
    }
}
