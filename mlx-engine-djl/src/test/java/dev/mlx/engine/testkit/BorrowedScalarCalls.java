package dev.mlx.engine.testkit;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Finds, in compiled classes, calls of DJL's {@code NDArray} arithmetic with a {@code Number}
 * operand whose backward pass reads that operand: {@code mul}, {@code div}, {@code pow},
 * {@code minimum}, {@code maximum} and their in-place and reversed forms.
 *
 * <p>Why: DJL's PyTorch engine wraps the number in a tensor over a Java direct buffer
 * ({@code from_blob}) and closes it right after the operation; autograd keeps that tensor for the
 * backward pass, which then reads memory the garbage collector may have freed (gradients that vary
 * from run to run, or NaN). {@link dev.mlx.api.train.Scalars} does the same arithmetic with a
 * scalar that owns its memory. This check reads the class files' constant pools (JVMS §4.4), so it
 * sees every call the code can make, whether or not a test happens to execute it.
 */
public final class BorrowedScalarCalls {
    private static final String NDARRAY = "ai/djl/ndarray/NDArray";
    private static final String NUMBER_OPERAND = "(Ljava/lang/Number;)Lai/djl/ndarray/NDArray;";
    private static final Set<String> SAVED_OPERAND_OPS = Set.of("mul", "muli", "div", "divi", "pow", "powi",
            "rdiv", "rdivi", "rpow", "rpowi", "minimum", "maximum");

    private BorrowedScalarCalls() {}

    /**
     * @param roots classes to scan, with their nested classes (lambdas compile into their enclosing class)
     * @return one line per offending call site class, e.g. {@code com.acme.MyProvider calls NDArray.mul(Number)}
     */
    public static List<String> find(Class<?>... roots) {
        Deque<Class<?>> todo = new ArrayDeque<>(List.of(roots));
        Set<Class<?>> seen = new HashSet<>();
        List<String> found = new ArrayList<>();
        while (!todo.isEmpty()) {
            Class<?> c = todo.pop();
            if (!seen.add(c) || c.isHidden() || c.isPrimitive() || c.isArray()) {
                continue;
            }
            todo.addAll(List.of(c.getDeclaredClasses()));
            for (String op : calls(c)) {
                found.add(c.getName() + " calls NDArray." + op + "(Number)");
            }
        }
        return found;
    }

    /** The offending operation names called from {@code c}'s own class file. */
    static List<String> calls(Class<?> c) {
        String resource = c.getName().substring(c.getName().lastIndexOf('.') + 1) + ".class";
        try (InputStream in = c.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("cannot read the class file of " + c.getName());
            }
            return scan(new DataInputStream(in));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the class file of " + c.getName() + ": " + e.getMessage(), e);
        }
    }

    private static List<String> scan(DataInputStream in) throws IOException {
        if (in.readInt() != 0xCAFEBABE) {
            throw new IOException("not a class file");
        }
        in.readUnsignedShort(); // minor
        in.readUnsignedShort(); // major
        int count = in.readUnsignedShort();
        int[] tags = new int[count];
        String[] utf8 = new String[count];
        int[] first = new int[count];
        int[] second = new int[count];
        for (int i = 1; i < count; i++) {
            int tag = in.readUnsignedByte();
            tags[i] = tag;
            switch (tag) {
                case 1 -> utf8[i] = in.readUTF();
                case 3, 4 -> in.readInt();
                case 5, 6 -> {
                    in.readLong();
                    i++; // 8-byte constants take two slots
                }
                case 7, 8, 16, 19, 20 -> first[i] = in.readUnsignedShort();
                case 9, 10, 11, 12, 17, 18 -> {
                    first[i] = in.readUnsignedShort();
                    second[i] = in.readUnsignedShort();
                }
                case 15 -> {
                    in.readUnsignedByte();
                    in.readUnsignedShort();
                }
                default -> throw new IOException("unknown constant pool tag " + tag);
            }
        }
        List<String> ops = new ArrayList<>();
        for (int i = 1; i < count; i++) {
            if (tags[i] != 10 && tags[i] != 11) { // Methodref, InterfaceMethodref
                continue;
            }
            String owner = utf8[first[first[i]]];
            int nameAndType = second[i];
            String name = utf8[first[nameAndType]];
            String descriptor = utf8[second[nameAndType]];
            if (SAVED_OPERAND_OPS.contains(name) && NUMBER_OPERAND.equals(descriptor) && owner != null
                    && owner.startsWith("ai/djl/") && (owner.equals(NDARRAY) || owner.endsWith("NDArray"))) {
                ops.add(name);
            }
        }
        return ops;
    }
}
