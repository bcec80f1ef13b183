package dev.mlx.engine.torchsave;

import dev.mlx.api.error.MlxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A pickle reader for the {@code data.pkl} of a {@code torch.save(state_dict)} archive. It is not
 * a Python unpickler: it interprets only the opcodes such files use (protocols 2 to 5), builds
 * dicts, tuples, strings, numbers and tensor references, and resolves only these globals:
 * <ul>
 *   <li>{@code collections.OrderedDict} (called with no arguments; {@code BUILD} of its
 *       attributes such as {@code _metadata} is accepted and ignored);
 *   <li>{@code torch._utils._rebuild_tensor_v2(storage, offset, size, stride, requires_grad,
 *       hooks[, metadata])} and {@code torch._utils._rebuild_parameter(data, requires_grad, hooks)};
 *   <li>the storage classes of {@link TorchDType}, only inside a persistent id
 *       {@code ('storage', torch.FloatStorage, key, location, numel)}.
 * </ul>
 * Any other global (a module class, {@code os.system}, ...) is refused when it is named, before
 * anything is built, so no pickled code is ever run. The result must be a dict from strings to
 * tensors.
 */
final class StateDictUnpickler {
    private static final String COLLECTIONS = "collections";
    private static final String TORCH = "torch";
    private static final String TORCH_UTILS = "torch._utils";
    private static final String ORDERED_DICT = "OrderedDict";
    private static final String REBUILD_TENSOR = "_rebuild_tensor_v2";
    private static final String REBUILD_PARAMETER = "_rebuild_parameter";
    private static final Set<String> ALLOWED = Set.of(COLLECTIONS + "." + ORDERED_DICT,
            TORCH_UTILS + "." + REBUILD_TENSOR, TORCH_UTILS + "." + REBUILD_PARAMETER);
    private static final Object NONE = new Object();

    /** A resolved global: a function or class of the whitelist. */
    record Global(String module, String name) {
        @Override
        public String toString() {
            return module + "." + name;
        }
    }

    /** A Python tuple. */
    record Tuple(List<Object> items) {}

    /**
     * A storage named by a persistent id.
     *
     * @param dtype the element type
     * @param key the archive entry {@code data/<key>}
     * @param numel the number of elements
     */
    record StorageRef(TorchDType dtype, String key, long numel) {}

    /**
     * A tensor view of a storage.
     *
     * @param storage the storage
     * @param offset the storage offset in elements
     * @param size the sizes
     * @param stride the strides in elements
     */
    record TensorRef(StorageRef storage, long offset, long[] size, long[] stride) {}

    private final ByteBuffer in;
    private final String source;
    private final List<Object> stack = new ArrayList<>();
    private final List<Integer> marks = new ArrayList<>();
    private final Map<Long, Object> memo = new HashMap<>();

    private StateDictUnpickler(byte[] pickle, String source) {
        this.in = ByteBuffer.wrap(pickle).order(ByteOrder.LITTLE_ENDIAN);
        this.source = source;
    }

    /**
     * @param pickle the bytes of {@code data.pkl}
     * @param source a name for messages
     * @return the state dict's tensors by key, in the pickled order
     * @throws MlxException if the pickle uses an opcode or global outside a tensor state dict, is
     *     truncated, or is not a dict of tensors
     */
    static Map<String, TensorRef> read(byte[] pickle, String source) {
        Object result = new StateDictUnpickler(pickle, source).run();
        if (!(result instanceof Map<?, ?> dict)) {
            throw bad(source, "its pickle holds " + describe(result) + ", not a state dict");
        }
        Map<String, TensorRef> tensors = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : dict.entrySet()) {
            if (!(e.getKey() instanceof String key)) {
                throw bad(source, "its state dict has the key " + describe(e.getKey()) + ", which is not a string");
            }
            if (!(e.getValue() instanceof TensorRef t)) {
                throw bad(source, "its entry '" + key + "' is " + describe(e.getValue()) + ", not a tensor"
                        + " (a checkpoint wrapping the state dict, e.g. {'model': ..., 'optimizer': ...}, is not read)");
            }
            tensors.put(key, t);
        }
        return tensors;
    }

    private Object run() {
        try {
            while (true) {
                int position = in.position();
                int op = in.get() & 0xFF;
                switch (op) {
                    case 0x80 -> { // PROTO
                        int protocol = in.get() & 0xFF;
                        if (protocol < 2 || protocol > 5) {
                            throw bad(source, "its pickle protocol is " + protocol + "; torch.save writes 2 to 5");
                        }
                    }
                    case 0x95 -> in.getLong(); // FRAME: a length hint
                    case '}' -> push(new LinkedHashMap<Object, Object>()); // EMPTY_DICT
                    case ')' -> push(new Tuple(List.of())); // EMPTY_TUPLE
                    case ']' -> push(new ArrayList<Object>()); // EMPTY_LIST
                    case '(' -> marks.add(stack.size()); // MARK
                    case 'N' -> push(NONE);
                    case 0x88 -> push(Boolean.TRUE); // NEWTRUE
                    case 0x89 -> push(Boolean.FALSE); // NEWFALSE
                    case 'K' -> push((long) (in.get() & 0xFF)); // BININT1
                    case 'M' -> push((long) (in.getShort() & 0xFFFF)); // BININT2
                    case 'J' -> push((long) in.getInt()); // BININT
                    case 0x8a -> push(long1(in.get() & 0xFF)); // LONG1
                    case 'G' -> push(Double.longBitsToDouble(Long.reverseBytes(in.getLong()))); // BINFLOAT, big-endian
                    case 'X' -> push(utf8(length(in.getInt() & 0xFFFFFFFFL))); // BINUNICODE
                    case 0x8c -> push(utf8(in.get() & 0xFF)); // SHORT_BINUNICODE
                    case 0x8d -> push(utf8(length(in.getLong()))); // BINUNICODE8
                    case 'c' -> push(global(line(), line())); // GLOBAL
                    case 0x93 -> { // STACK_GLOBAL
                        String name = string(pop(), "STACK_GLOBAL name");
                        push(global(string(pop(), "STACK_GLOBAL module"), name));
                    }
                    case 0x85 -> push(new Tuple(List.of(pop()))); // TUPLE1
                    case 0x86 -> { // TUPLE2
                        Object b = pop();
                        push(new Tuple(List.of(pop(), b)));
                    }
                    case 0x87 -> { // TUPLE3
                        Object c = pop();
                        Object b = pop();
                        push(new Tuple(List.of(pop(), b, c)));
                    }
                    case 't' -> push(new Tuple(popMark())); // TUPLE
                    case 'a' -> { // APPEND
                        Object item = pop();
                        list(top()).add(item);
                    }
                    case 'e' -> { // APPENDS
                        List<Object> items = popMark();
                        list(top()).addAll(items);
                    }
                    case 'Q' -> push(persistent(pop())); // BINPERSID
                    case 'R' -> { // REDUCE
                        Object args = pop();
                        push(reduce(pop(), args));
                    }
                    case 'b' -> build(); // BUILD
                    case 's' -> { // SETITEM
                        Object value = pop();
                        Object key = pop();
                        dict(top()).put(key, value);
                    }
                    case 'u' -> { // SETITEMS
                        List<Object> items = popMark();
                        Map<Object, Object> dict = dict(top());
                        for (int i = 0; i + 1 < items.size(); i += 2) {
                            dict.put(items.get(i), items.get(i + 1));
                        }
                    }
                    case 'q' -> memo.put((long) (in.get() & 0xFF), top()); // BINPUT
                    case 'r' -> memo.put(in.getInt() & 0xFFFFFFFFL, top()); // LONG_BINPUT
                    case 0x94 -> memo.put((long) memo.size(), top()); // MEMOIZE
                    case 'h' -> push(memo(in.get() & 0xFF)); // BINGET
                    case 'j' -> push(memo(in.getInt() & 0xFFFFFFFFL)); // LONG_BINGET
                    case '0' -> pop(); // POP
                    case '.' -> { // STOP
                        if (stack.size() != 1 || !marks.isEmpty()) {
                            throw bad(source, "its pickle stops with " + stack.size() + " values on the stack");
                        }
                        return stack.get(0);
                    }
                    default -> throw bad(source, String.format("its pickle uses opcode 0x%02x at byte %d, which"
                            + " torch.save state dicts do not use", op, position));
                }
            }
        } catch (java.nio.BufferUnderflowException e) {
            throw bad(source, "its pickle data.pkl ends before its STOP opcode (the file is truncated)");
        }
    }

    private Global global(String module, String name) {
        String full = module + "." + name;
        if (ALLOWED.contains(full)
                || module.equals(TORCH) && TorchDType.ofStorageClass(name).isPresent()) {
            return new Global(module, name);
        }
        throw MlxException.userError(source + " refers to the Python object " + full + ", which is not part of a"
                + " state dict of tensors; mlx never runs pickled code and reads only torch.save(model.state_dict())"
                + " with float/half/bfloat16/double/long/int tensors. Save the state dict (or convert it to"
                + " model.safetensors) in Python");
    }

    private StorageRef persistent(Object pid) {
        if (pid instanceof Tuple t && t.items().size() == 5 && "storage".equals(t.items().get(0))
                && t.items().get(1) instanceof Global g && g.module().equals(TORCH)
                && t.items().get(2) instanceof String key && t.items().get(3) instanceof String
                && t.items().get(4) instanceof Long numel && numel >= 0) {
            TorchDType dtype = TorchDType.ofStorageClass(g.name()).orElseThrow();
            return new StorageRef(dtype, key, numel);
        }
        throw bad(source, "its pickle has the persistent id " + describe(pid) + "; only tensor storages"
                + " ('storage', torch.FloatStorage, key, location, numel) are read");
    }

    private Object reduce(Object callable, Object args) {
        if (!(callable instanceof Global g) || !(args instanceof Tuple tuple)) {
            throw bad(source, "its pickle calls " + describe(callable) + "; only the tensor-rebuilding functions are"
                    + " accepted");
        }
        List<Object> a = tuple.items();
        String full = g.toString();
        if (full.equals(COLLECTIONS + "." + ORDERED_DICT) && a.isEmpty()) {
            return new LinkedHashMap<Object, Object>();
        }
        if (full.equals(TORCH_UTILS + "." + REBUILD_TENSOR) && (a.size() == 6 || a.size() == 7)) {
            if (a.get(0) instanceof StorageRef storage && a.get(1) instanceof Long offset) {
                long[] size = longs(a.get(2), "size");
                long[] stride = longs(a.get(3), "stride");
                if (size.length == stride.length && offset >= 0) {
                    return new TensorRef(storage, offset, size, stride);
                }
            }
        }
        if (full.equals(TORCH_UTILS + "." + REBUILD_PARAMETER) && a.size() == 3 && a.get(0) instanceof TensorRef t) {
            return t;
        }
        throw bad(source, "its pickle calls " + full + " with " + a.size() + " arguments that do not describe a"
                + " tensor");
    }

    private void build() {
        Object state = pop();
        Object target = top();
        if (!(target instanceof Map<?, ?>) || !(state instanceof Map<?, ?> || state == NONE)) {
            throw bad(source, "its pickle sets the state of " + describe(target) + "; only a state dict's own"
                    + " attributes (_metadata) are accepted");
        }
    }

    private long[] longs(Object tuple, String what) {
        if (!(tuple instanceof Tuple t)) {
            throw bad(source, "a tensor's " + what + " is " + describe(tuple) + ", not a tuple");
        }
        long[] out = new long[t.items().size()];
        for (int i = 0; i < out.length; i++) {
            if (!(t.items().get(i) instanceof Long v) || v < 0) {
                throw bad(source, "a tensor's " + what + " holds " + describe(t.items().get(i))
                        + ", not a non-negative integer");
            }
            out[i] = v;
        }
        return out;
    }

    private long long1(int n) {
        if (n > 8) {
            throw bad(source, "its pickle holds an integer of " + n + " bytes, beyond 64 bits");
        }
        long v = 0;
        for (int i = 0; i < n; i++) {
            v |= (in.get() & 0xFFL) << (8 * i);
        }
        if (n > 0 && n < 8 && (v & (1L << (8 * n - 1))) != 0) {
            v -= 1L << (8 * n); // two's complement sign
        }
        return v;
    }

    private int length(long n) {
        if (n < 0 || n > in.remaining()) {
            throw bad(source, "its pickle has a string of " + n + " bytes where only " + in.remaining() + " remain"
                    + " (the file is truncated)");
        }
        return (int) n;
    }

    private String utf8(int n) {
        byte[] b = new byte[length(n)];
        in.get(b);
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(b)).toString();
        } catch (CharacterCodingException e) {
            throw bad(source, "its pickle has a string that is not valid UTF-8");
        }
    }

    /** A GLOBAL operand: ASCII up to a newline. */
    private String line() {
        StringBuilder s = new StringBuilder();
        for (int c = in.get() & 0xFF; c != '\n'; c = in.get() & 0xFF) {
            if (c >= 0x80 || s.length() > 200) {
                throw bad(source, "its pickle has a malformed GLOBAL name");
            }
            s.append((char) c);
        }
        return s.toString();
    }

    private String string(Object o, String what) {
        if (!(o instanceof String s)) {
            throw bad(source, "its pickle's " + what + " is " + describe(o) + ", not a string");
        }
        return s;
    }

    private Object memo(long index) {
        Object o = memo.get(index);
        if (o == null) {
            throw bad(source, "its pickle reads memo entry " + index + ", which was never stored");
        }
        return o;
    }

    @SuppressWarnings("unchecked")
    private Map<Object, Object> dict(Object o) {
        if (!(o instanceof Map<?, ?>)) {
            throw bad(source, "its pickle sets an item of " + describe(o) + ", not of a dict");
        }
        return (Map<Object, Object>) o;
    }

    @SuppressWarnings("unchecked")
    private List<Object> list(Object o) {
        if (!(o instanceof ArrayList<?>)) {
            throw bad(source, "its pickle appends to " + describe(o) + ", not to a list");
        }
        return (List<Object>) o;
    }

    private void push(Object o) {
        stack.add(o);
    }

    private Object pop() {
        if (stack.isEmpty() || !marks.isEmpty() && marks.get(marks.size() - 1) == stack.size()) {
            throw bad(source, "its pickle pops from an empty stack");
        }
        return stack.remove(stack.size() - 1);
    }

    private Object top() {
        if (stack.isEmpty()) {
            throw bad(source, "its pickle reads from an empty stack");
        }
        return stack.get(stack.size() - 1);
    }

    private List<Object> popMark() {
        if (marks.isEmpty()) {
            throw bad(source, "its pickle closes a MARK it never opened");
        }
        int from = marks.remove(marks.size() - 1);
        List<Object> items = new ArrayList<>(stack.subList(from, stack.size()));
        stack.subList(from, stack.size()).clear();
        return items;
    }

    private static String typeName(Object o) {
        if (o == NONE) {
            return "None";
        }
        if (o instanceof Tuple) {
            return "tuple";
        }
        if (o instanceof Map<?, ?>) {
            return "dict";
        }
        if (o instanceof List<?>) {
            return "list";
        }
        if (o instanceof TensorRef) {
            return "tensor";
        }
        if (o instanceof StorageRef) {
            return "storage";
        }
        if (o instanceof Global g) {
            return "reference to " + g;
        }
        if (o instanceof Long) {
            return "int";
        }
        if (o instanceof Double) {
            return "float";
        }
        if (o instanceof Boolean) {
            return "bool";
        }
        return "str";
    }

    /** @return e.g. {@code the int 7}, {@code the str 'a'} or {@code a dict} */
    private static String describe(Object o) {
        if (o instanceof String s) {
            return "the str '" + s + "'";
        }
        if (o instanceof Long || o instanceof Boolean || o instanceof Double) {
            return "the " + typeName(o) + " " + o;
        }
        return "a " + typeName(o);
    }

    static MlxException bad(String source, String what) {
        return MlxException.userError(source + " is not a readable torch.save state dict: " + what + ". Re-save it"
                + " with torch.save(model.state_dict(), path) (PyTorch 1.6 or later) or convert it to model.safetensors");
    }
}
