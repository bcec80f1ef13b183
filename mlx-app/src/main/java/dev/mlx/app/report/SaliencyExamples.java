package dev.mlx.app.report;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.mlx.api.attribution.AttributionMethod;
import dev.mlx.api.data.DataSplit;
import dev.mlx.api.error.ErrorKind;
import dev.mlx.api.error.MlxException;
import dev.mlx.api.train.Model;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Computes {@link Saliency} examples: the chosen examples of a split go through the model in one
 * batch, the predicted class is the arg max of the logits, and the attribution method explains
 * either the true label or the predicted class of each example. Every array lives on a sub-manager
 * closed before returning; the results are plain Java arrays.
 */
public final class SaliencyExamples {
    /** Which class the attribution explains. */
    public enum Target {
        /** the example's true label */
        LABEL,
        /** the model's predicted class */
        PREDICTION
    }

    private SaliencyExamples() {}

    /**
     * The default examples of a report: the first example of each class in index order (so the
     * figures show different classes), then further examples in index order, {@code count} in all.
     *
     * @param split the split
     * @param count how many (at most the split's size)
     * @return the indices, in figure order
     */
    public static int[] firstOfEachClass(DataSplit split, int count) {
        int n = Math.min(count, split.size());
        Set<Integer> chosen = new LinkedHashSet<>();
        boolean[] seen = new boolean[split.numClasses()];
        int[] labels = split.labels();
        for (int i = 0; i < labels.length && chosen.size() < n; i++) {
            if (!seen[labels[i]]) {
                seen[labels[i]] = true;
                chosen.add(i);
            }
        }
        for (int i = 0; i < labels.length && chosen.size() < n; i++) {
            chosen.add(i);
        }
        return chosen.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * @param model the trained model
     * @param parent the manager under which a temporary sub-manager is opened
     * @param split the split the examples come from
     * @param indices the examples (each in {@code [0, split.size())})
     * @param method the attribution method
     * @param target which class to explain
     * @param seed seed of the method's randomness
     * @return one saliency per index, in the order given
     * @throws MlxException (user error) on an index outside the split or a non-image example shape
     */
    public static List<Saliency> compute(Model model, NDManager parent, DataSplit split, int[] indices,
            AttributionMethod method, Target target, long seed) {
        if (indices.length == 0) {
            return List.of();
        }
        int f = split.featureCount();
        int[] shape = split.exampleShape();
        float[] inputs = split.inputs();
        float[] masks = split.masks();
        int[] labels = split.labels();
        float[] x = new float[indices.length * f];
        int[] y = new int[indices.length];
        for (int i = 0; i < indices.length; i++) {
            int idx = indices[i];
            if (idx < 0 || idx >= split.size()) {
                throw MlxException.userError("example " + idx + " is not in " + split.name() + ", which has examples 0.."
                        + (split.size() - 1));
            }
            System.arraycopy(inputs, idx * f, x, i * f, f);
            y[i] = labels[idx];
        }
        long[] batchShape = new long[shape.length + 1];
        batchShape[0] = indices.length;
        for (int d = 0; d < shape.length; d++) {
            batchShape[d + 1] = shape[d];
        }
        try (NDManager manager = parent.newSubManager()) {
            NDArray xs = manager.create(x, new Shape(batchShape));
            int[] predicted = argMax(model.logits(xs).toFloatArray(), split.numClasses());
            int[] explained = target == Target.LABEL ? y : predicted;
            float[] attribution = method.attribute(model, xs, manager.create(explained), seed).toFloatArray();
            if (attribution.length != x.length) {
                throw new MlxException(ErrorKind.INTERNAL, "the attribution method returned "
                        + attribution.length + " values for inputs of shape " + Arrays.toString(batchShape));
            }
            List<Saliency> out = new ArrayList<>();
            for (int i = 0; i < indices.length; i++) {
                int idx = indices[i];
                out.add(new Saliency(idx, y[i], predicted[i], explained[i], shape,
                        Arrays.copyOfRange(x, i * f, (i + 1) * f), Arrays.copyOfRange(masks, idx * f, (idx + 1) * f),
                        Arrays.copyOfRange(attribution, i * f, (i + 1) * f)));
            }
            return out;
        }
    }

    private static int[] argMax(float[] logits, int classes) {
        int[] best = new int[logits.length / classes];
        for (int i = 0; i < best.length; i++) {
            for (int c = 1; c < classes; c++) {
                if (logits[i * classes + c] > logits[i * classes + best[i]]) {
                    best[i] = c;
                }
            }
        }
        return best;
    }
}
