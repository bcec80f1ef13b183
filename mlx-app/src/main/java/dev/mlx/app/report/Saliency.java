package dev.mlx.app.report;

import dev.mlx.api.error.MlxException;
import java.util.Arrays;

/**
 * One explained example: its input, its explanation mask (1 = a feature that must not matter), and
 * an attribution of every input feature for one class.
 *
 * <p>Only image-shaped examples can be drawn: {@code [H, W]} or {@code [C, H, W]} with {@code C} 1
 * (grey) or 3 (RGB). The constructor checks the shape, the lengths and that every attribution is
 * finite; a violation is a user error that names the example.
 *
 * @param index the example's index in its split
 * @param label its true class
 * @param predicted the model's class (arg max of the logits)
 * @param explainedClass the class whose attribution this is
 * @param shape the example shape
 * @param input the input values, row-major in {@code shape}
 * @param mask the explanation mask, same length as {@code input}
 * @param attribution the attribution, same length as {@code input}
 */
public record Saliency(int index, int label, int predicted, int explainedClass, int[] shape, float[] input,
        float[] mask, float[] attribution) {

    public Saliency {
        shape = shape.clone();
        if (!isImageShape(shape)) {
            throw MlxException.userError("example " + index + " has shape " + Arrays.toString(shape)
                    + "; saliency images need image examples of shape [H, W] or [C, H, W] with C = 1 or 3");
        }
        long features = 1;
        for (int d : shape) {
            if (d <= 0) {
                throw MlxException.userError("example " + index + " has invalid shape " + Arrays.toString(shape));
            }
            features *= d;
        }
        if (input.length != features || mask.length != features || attribution.length != features) {
            throw MlxException.userError("example " + index + " of shape " + Arrays.toString(shape) + " needs "
                    + features + " values; got " + input.length + " inputs, " + mask.length + " mask values, "
                    + attribution.length + " attributions");
        }
        for (int i = 0; i < attribution.length; i++) {
            if (!Float.isFinite(attribution[i])) {
                throw MlxException.userError("the attribution of example " + index + " is " + attribution[i]
                        + " at feature " + i + "; the model or the attribution method produced a non-finite value"
                        + " (check the run for divergence)");
            }
        }
        input = input.clone();
        mask = mask.clone();
        attribution = attribution.clone();
    }

    /**
     * @param shape an example shape
     * @return whether it can be drawn: {@code [H, W]} or {@code [C, H, W]} with {@code C} 1 or 3
     */
    public static boolean isImageShape(int[] shape) {
        return shape.length == 2 || (shape.length == 3 && (shape[0] == 1 || shape[0] == 3));
    }

    /** @return the number of channels (1 for {@code [H, W]}) */
    public int channels() {
        return shape.length == 3 ? shape[0] : 1;
    }

    /** @return the image height */
    public int height() {
        return shape[shape.length - 2];
    }

    /** @return the image width */
    public int width() {
        return shape[shape.length - 1];
    }

    /**
     * @return the attribution per pixel, summed over channels, row-major {@code [H, W]}
     */
    public float[] pixelAttribution() {
        int hw = height() * width();
        float[] out = new float[hw];
        for (int c = 0; c < channels(); c++) {
            for (int p = 0; p < hw; p++) {
                out[p] += attribution[c * hw + p];
            }
        }
        return out;
    }

    /** @return whether pixel {@code p} (row-major) is masked in any channel (mask value at least 0.5) */
    public boolean masked(int p) {
        int hw = height() * width();
        for (int c = 0; c < channels(); c++) {
            if (mask[c * hw + p] >= 0.5f) {
                return true;
            }
        }
        return false;
    }

    @Override
    public int[] shape() {
        return shape.clone();
    }

    @Override
    public float[] input() {
        return input.clone();
    }

    @Override
    public float[] mask() {
        return mask.clone();
    }

    @Override
    public float[] attribution() {
        return attribution.clone();
    }
}
