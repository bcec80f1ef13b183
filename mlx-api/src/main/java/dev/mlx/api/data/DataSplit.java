package dev.mlx.api.data;

import dev.mlx.api.error.MlxException;
import java.util.Arrays;

/**
 * One split (train or test) of an explanation dataset, held as flat engine-neutral arrays.
 *
 * <p>Example {@code i} occupies {@code inputs[i*F .. (i+1)*F)} and {@code masks[i*F .. (i+1)*F)},
 * where {@code F} is the product of {@link #exampleShape()}. A mask value of 1 marks a feature
 * that must <em>not</em> matter (irrelevant, spurious); 0 marks a core feature; values in
 * between are soft masks. Construction validates everything once: shapes, NaN or infinite
 * inputs, mask range, label and group range; a violation is a user error naming the example.
 *
 * @param name a label for messages, e.g. {@code "decoy-mnist/test"}
 * @param exampleShape the shape of one input (and of one mask), e.g. {@code [1, 28, 28]}
 * @param inputs the inputs, {@code size() * F} values
 * @param masks the explanation masks, same length as {@code inputs}
 * @param labels class labels in {@code [0, numClasses)}
 * @param groups group ids in {@code [0, numGroups)} used by group metrics
 * @param numClasses number of classes
 * @param numGroups number of groups
 */
public record DataSplit(
        String name,
        int[] exampleShape,
        float[] inputs,
        float[] masks,
        int[] labels,
        int[] groups,
        int numClasses,
        int numGroups) {

    public DataSplit {
        exampleShape = exampleShape.clone();
        int features = featureCount(exampleShape);
        int n = labels.length;
        if (groups.length != n) {
            throw MlxException.userError(name + ": " + n + " labels but " + groups.length + " group ids");
        }
        if (inputs.length != (long) n * features) {
            throw MlxException.userError(name + ": inputs hold " + inputs.length + " values but "
                    + n + " examples of shape " + Arrays.toString(exampleShape) + " need " + (long) n * features);
        }
        if (masks.length != inputs.length) {
            throw MlxException.userError(name + ": the masks hold " + masks.length
                    + " values but the inputs hold " + inputs.length + "; every mask must have the shape of its input "
                    + Arrays.toString(exampleShape));
        }
        for (int i = 0; i < inputs.length; i++) {
            if (!Float.isFinite(inputs[i])) {
                throw MlxException.userError(name + ": example " + i / features + " has a non-finite input value ("
                        + inputs[i] + ") at feature " + i % features + "; clean the data (no NaN or infinity)");
            }
            float m = masks[i];
            if (!(m >= 0f && m <= 1f)) {
                throw MlxException.userError(name + ": example " + i / features + " has mask value " + m
                        + " at feature " + i % features + "; masks must lie in [0, 1] (1 = irrelevant feature)");
            }
        }
        for (int i = 0; i < n; i++) {
            if (labels[i] < 0 || labels[i] >= numClasses) {
                throw MlxException.userError(name + ": example " + i + " has label " + labels[i]
                        + " outside [0, " + numClasses + ")");
            }
            if (groups[i] < 0 || groups[i] >= numGroups) {
                throw MlxException.userError(name + ": example " + i + " has group " + groups[i]
                        + " outside [0, " + numGroups + ")");
            }
        }
    }

    /**
     * @param newName the name of the subset
     * @param indices the examples to keep, in the order given (each in {@code [0, size())})
     * @return a new split holding copies of those examples
     */
    public DataSplit select(String newName, int[] indices) {
        int f = featureCount();
        float[] in = new float[indices.length * f];
        float[] ma = new float[indices.length * f];
        int[] la = new int[indices.length];
        int[] gr = new int[indices.length];
        for (int k = 0; k < indices.length; k++) {
            int i = indices[k];
            if (i < 0 || i >= size()) {
                throw new IllegalArgumentException("example " + i + " outside [0, " + size() + ")");
            }
            System.arraycopy(inputs, i * f, in, k * f, f);
            System.arraycopy(masks, i * f, ma, k * f, f);
            la[k] = labels[i];
            gr[k] = groups[i];
        }
        return new DataSplit(newName, exampleShape, in, ma, la, gr, numClasses, numGroups);
    }

    /** @return the number of examples */
    public int size() {
        return labels.length;
    }

    /** @return the number of features of one example */
    public int featureCount() {
        return featureCount(exampleShape);
    }

    /** @return the product of the dimensions of {@code shape} */
    public static int featureCount(int[] shape) {
        long f = 1;
        for (int d : shape) {
            if (d <= 0) {
                throw MlxException.userError("invalid example shape " + Arrays.toString(shape));
            }
            f *= d;
        }
        if (f > Integer.MAX_VALUE) {
            throw MlxException.userError("example shape " + Arrays.toString(shape) + " is too large");
        }
        return (int) f;
    }

    @Override
    public int[] exampleShape() {
        return exampleShape.clone();
    }

    @Override
    public String toString() {
        return "DataSplit[" + name + ", n=" + size() + ", shape=" + Arrays.toString(exampleShape) + "]";
    }
}
